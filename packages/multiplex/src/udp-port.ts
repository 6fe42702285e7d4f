// A bound UDP socket and its protocol (Twisted's `udp.Port`): libuv reads
// each datagram when epoll reports the socket readable, and the port hands
// it to the protocol whole.
import type dgram from 'node:dgram';
import {
  type Address,
  bindDatagramSocket,
  fromAddressInfo,
  ListenError,
  type Sendable,
  toBytes,
  type UdpEndpoint,
} from '@iomodels/contract';
import type { DatagramProtocol } from './datagram-protocol.js';
import type { DatagramDestination, DatagramTransport } from './datagram-transport.js';

/** Where the port reports errors: the reactor's `logError`. */
export interface UDPPortHost {
  logError(error: unknown): void;
  udpPortStopped(port: UDPPort): void;
}

/** What `reactor.listenUDP` returns. */
export class UDPPort implements DatagramTransport {
  /** Resolves with the bound address; rejects (`ListenError`, `AddressInUseError`) if binding fails. */
  readonly listening: Promise<Address>;
  readonly protocol: DatagramProtocol;
  /** Datagrams larger than this are dropped and counted in `oversized`. */
  readonly maxPacketSize: number;
  readonly #host: UDPPortHost;
  #socket: dgram.Socket | undefined;
  #address: Address | undefined;
  #oversized = 0;
  #stopped: Promise<void> | undefined;

  constructor(
    host: UDPPortHost,
    endpoint: UdpEndpoint,
    protocol: DatagramProtocol,
    maxPacketSize: number,
  ) {
    this.#host = host;
    this.protocol = protocol;
    this.maxPacketSize = maxPacketSize;
    this.listening = bindDatagramSocket(endpoint).then(({ socket, address }) => {
      this.#socket = socket;
      this.#address = address;
      socket.on('message', (data, rinfo) => this.#received(data, rinfo));
      // After binding, errors are a send's (reported by it) or the kernel's: logged, the port goes on.
      socket.on('error', (error) => host.logError(error));
      protocol.makeConnection(this);
      return address;
    });
  }

  /** Datagrams dropped for being larger than `maxPacketSize`. */
  get oversized(): number {
    return this.#oversized;
  }

  getHost(): Address {
    if (!this.#address) throw new ListenError('port is not listening yet');
    return this.#address;
  }

  write(data: Sendable, addr: DatagramDestination): void {
    this.send(data, addr).catch((error: unknown) => this.#host.logError(error));
  }

  send(data: Sendable, addr: DatagramDestination): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#stopped) {
      return Promise.reject(new ListenError('UDP port is not listening'));
    }
    return new Promise((resolve, reject) => {
      socket.send(toBytes(data), addr.port, addr.host, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }

  /** Closes the socket (the port is free once this resolves), then `stopProtocol`. Idempotent. */
  stopListening(): Promise<void> {
    this.#stopped ??= (async () => {
      await this.listening.catch(() => {});
      const socket = this.#socket;
      if (!socket) return;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      try {
        this.protocol.stopProtocol();
      } catch (error) {
        this.#host.logError(error);
      }
      this.#host.udpPortStopped(this);
    })();
    return this.#stopped;
  }

  #received(data: Buffer, rinfo: dgram.RemoteInfo): void {
    if (data.length > this.maxPacketSize) {
      this.#oversized++;
      return;
    }
    try {
      this.protocol.datagramReceived(data, fromAddressInfo(rinfo as unknown as object));
    } catch (error) {
      this.#host.logError(error);
    }
  }
}
