// The contract's UDP server on the Proactor model: one posted `recvFrom`
// at a time feeds BaseDatagramServer's pipeline; replies are posted
// `sendTo`s. Handlers run as coroutines on the one event loop.
import {
  type Address,
  BaseDatagramServer,
  ConnectionClosedError,
  type ModelDescription,
  type UdpEndpoint,
} from '@iomodels/contract';
import { AsyncDatagramSocket } from './async-datagram-socket.js';

/** Runs a datagram handler for every datagram a posted `recvFrom` completes with. */
export class ProactorUDPServer extends BaseDatagramServer {
  readonly model = 'async';
  readonly mode = 'proactor';
  #socket: AsyncDatagramSocket | undefined;

  protected async bind(endpoint: UdpEndpoint): Promise<Address> {
    // Every datagram reaches the pipeline, which drops and counts the
    // oversized ones and bounds the requests in flight.
    const socket = await AsyncDatagramSocket.bind(endpoint, {
      maxPacketSize: Number.POSITIVE_INFINITY,
    });
    this.#socket = socket;
    void this.#receiveLoop(socket);
    return socket.address;
  }

  protected async sendTo(data: Uint8Array, client: Address): Promise<void> {
    if (!this.#socket) throw new ConnectionClosedError('not bound');
    await this.#socket.sendTo(data, client);
  }

  protected async unbind(): Promise<void> {
    await this.#socket?.close();
  }

  /** Posts the next receive as soon as one completes: the pipeline never waits on a handler. */
  async #receiveLoop(socket: AsyncDatagramSocket): Promise<void> {
    for await (const { data, address } of socket) this.datagramReceived(data, address);
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'completion over readiness: each recvFrom/sendTo is a posted operation that completes later; libuv reads the datagram when the socket is readable',
      completion: 'emulated',
      concurrency: 'one event loop; handlers are coroutines',
      notes: ['the io_uring backend serves tcp: only; UDP runs on libuv'],
    };
  }
}
