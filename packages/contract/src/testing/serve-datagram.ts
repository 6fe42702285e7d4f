// Unit-test a datagram handler without a socket: one datagram in, the
// runner's result out (the reply bytes, or none, or the failure).
import type { Address, InetAddress } from '../address.js';
import type { Sendable } from '../connection.js';
import { toBytes } from '../connection.js';
import type { DatagramRequest } from '../datagram/datagram-request.js';
import {
  type DatagramHandler,
  type DatagramResult,
  runDatagramRequest,
} from '../datagram/run-datagram-request.js';
import type { ErrorSink } from '../run-request.js';
import type { ServerInfo } from '../server-info.js';
import { TEST_SERVER_ADDRESS } from './connection-pair.js';
import { testServerInfo } from './test-server-info.js';

/** The client address {@link serveDatagram} uses unless told otherwise. */
export const TEST_CLIENT_ADDRESS: InetAddress = Object.freeze({
  host: '127.0.0.1',
  port: 40000,
  family: 'IPv4',
});

/** What {@link serveDatagram} may override. */
export interface ServeDatagramOptions {
  client?: Address;
  server?: ServerInfo;
  signal?: AbortSignal;
  /** Receives the error a failing handler threw; default: ignored (the outcome says `failed`). */
  onError?: ErrorSink;
}

/** Runs `handler` over one datagram holding `data`, as a UDP server would. */
export function serveDatagram(
  handler: DatagramHandler,
  data: Sendable,
  options: ServeDatagramOptions = {},
): Promise<DatagramResult> {
  const request: DatagramRequest = {
    data: toBytes(data),
    client: options.client ?? TEST_CLIENT_ADDRESS,
    local: TEST_SERVER_ADDRESS,
    signal: options.signal ?? new AbortController().signal,
  };
  return runDatagramRequest(
    handler,
    request,
    options.server ?? testServerInfo(),
    options.onError ?? (() => {}),
  );
}
