// What a DatagramProtocol talks through (Twisted's IUDPTransport).
import type { Address, Sendable } from '@iomodels/contract';

/** Where a datagram goes: an `Address`, or just a host and port. */
export type DatagramDestination = Pick<Address, 'host' | 'port'>;

/** The port as its protocol sees it. */
export interface DatagramTransport {
  /** Sends one datagram to `addr` (Twisted's `write(datagram, addr)`); a send error goes to the reactor's `onError`. */
  write(data: Sendable, addr: DatagramDestination): void;
  /** The same, as a promise that settles when the kernel took it or refused it. */
  send(data: Sendable, addr: DatagramDestination): Promise<void>;
  /** The bound address. */
  getHost(): Address;
  /** Stops listening; resolves once the socket is closed and the port free. */
  stopListening(): Promise<void>;
}
