// The in-memory connection pair of @iomodels/contract/testing.
import type { Address } from '../address.js';
import { type Limits, resolveLimits } from '../limits.js';
import { MemoryConnection } from './memory-connection.js';

/** Where the two ends of a {@link connectionPair} say they are, and their limits. */
export interface ConnectionPairOptions {
  /** The server end's address. Default `127.0.0.1:8009`. */
  server?: Address;
  /** The client end's address. Default `127.0.0.1:40000`. */
  client?: Address;
  /** Bounds of both ends (`maxReceiveBuffer` bounds what a `sendall` may leave unread). */
  limits?: Partial<Limits>;
}

/** The server end's address unless told otherwise: the seed's port on loopback. */
export const TEST_SERVER_ADDRESS: Address = Object.freeze({
  host: '127.0.0.1',
  port: 8009,
  family: 'IPv4',
});

const TEST_CLIENT_ADDRESS: Address = Object.freeze({
  host: '127.0.0.1',
  port: 40000,
  family: 'IPv4',
});

/**
 * Two connected in-memory ends, `[serverSide, clientSide]`: hand the first
 * to the handler under test, talk to it through the second.
 *
 * @example
 * const [server, client] = connectionPair();
 * const done = runRequest(IvrHandler, server, testServerInfo(), signal, onError);
 * await client.recv();          // the greeting
 * await client.sendall('exit');
 * await client.recv();          // empty: the handler closed
 */
export function connectionPair(
  options: ConnectionPairOptions = {},
): [serverSide: MemoryConnection, clientSide: MemoryConnection] {
  const limits = resolveLimits(options.limits);
  const serverAddress = options.server ?? TEST_SERVER_ADDRESS;
  const clientAddress = options.client ?? TEST_CLIENT_ADDRESS;
  const serverSide = new MemoryConnection(serverAddress, clientAddress, limits);
  const clientSide = new MemoryConnection(clientAddress, serverAddress, limits);
  MemoryConnection.link(serverSide, clientSide);
  return [serverSide, clientSide];
}
