// The smallest UDP server that honours the datagram contract: a `node:dgram`
// socket feeding BaseDatagramServer. The datagram suite is proven on it; it
// is no IO model.
import type dgram from 'node:dgram';
import {
  type Address,
  BaseDatagramServer,
  bindDatagramSocket,
  fromAddressInfo,
  type ModelDescription,
  type UdpEndpoint,
} from '@iomodels/contract';

/** Reference UDP server for the datagram conformance suite's own tests. */
export class ReferenceUDPServer extends BaseDatagramServer {
  readonly model = 'reference';
  readonly mode = 'datagram';
  #socket: dgram.Socket | undefined;

  protected async bind(endpoint: UdpEndpoint): Promise<Address> {
    const { socket, address } = await bindDatagramSocket(endpoint);
    this.#socket = socket;
    socket.on('message', (data, rinfo) =>
      this.datagramReceived(data, fromAddressInfo(rinfo as unknown as object)),
    );
    // A send error (an ICMP unreachable from a vanished client) must not crash the server.
    socket.on('error', () => {});
    return address;
  }

  protected sendTo(data: Uint8Array, client: Address): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#socket?.send(data, client.port, client.host, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
  }

  protected unbind(): Promise<void> {
    return new Promise((resolve) =>
      this.#socket ? this.#socket.close(() => resolve()) : resolve(),
    );
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'a node:dgram socket; libuv reads each datagram and Node emits it',
      completion: 'none',
      concurrency: 'handlers interleave on the event loop',
      notes: [],
    };
  }
}
