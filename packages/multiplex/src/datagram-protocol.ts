// Twisted's DatagramProtocol: a UDP port's event handler. There is no
// connection, so one protocol instance serves every peer; each datagram
// arrives whole with its sender's address, and replies go back through
// `this.transport.write(data, addr)`.
import type { Address } from '@iomodels/contract';
import type { DatagramTransport } from './datagram-transport.js';

/**
 * Subclass it and override `datagramReceived`. `transport` (the `UDPPort`)
 * is set by `makeConnection`, once the port is bound, before `startProtocol`.
 */
export class DatagramProtocol {
  /** The port; set when it is bound. */
  transport!: DatagramTransport;

  /** Called by the port once bound: stores it and fires `startProtocol`. */
  makeConnection(transport: DatagramTransport): void {
    this.transport = transport;
    this.startProtocol();
  }

  /** The port is bound and datagrams may arrive. */
  startProtocol(): void {}

  /** The port stopped listening: no more datagrams. */
  stopProtocol(): void {}

  /**
   * One datagram arrived, whole, from `addr`. Larger than the port's
   * `maxPacketSize` never arrives here (dropped and counted by the port;
   * Twisted's `recvfrom(maxPacketSize)` truncates it instead).
   */
  datagramReceived(_data: Buffer, _addr: Address): void {}
}
