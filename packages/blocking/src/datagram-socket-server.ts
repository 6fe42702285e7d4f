// What the three blocking UDP servers share: the receive. Node has no
// synchronous recvfrom(2) (see the README, "UDP"): the socket is a
// `node:dgram` socket on the main event loop, which waits in epoll_wait and
// then calls recvmsg(2) — the same calls Python's `serve_forever()` makes
// (select(), then recvfrom()). The models differ in where each datagram is
// handled; every reply goes out from this socket, on this thread.
import type dgram from 'node:dgram';
import {
  type Address,
  BaseDatagramServer,
  bindDatagramSocket,
  fromAddressInfo,
  type UdpEndpoint,
} from '@iomodels/contract';

export abstract class DatagramSocketServer extends BaseDatagramServer {
  #socket: dgram.Socket | undefined;

  /** Runs before the socket is bound (a pool starts here); a failure binds nothing. */
  protected async prepare(): Promise<void> {}

  /** Runs after the socket is closed (a pool stops here). */
  protected async release(): Promise<void> {}

  protected override async bind(endpoint: UdpEndpoint): Promise<Address> {
    await this.prepare();
    let bound: Awaited<ReturnType<typeof bindDatagramSocket>>;
    try {
      bound = await bindDatagramSocket(endpoint);
    } catch (error) {
      await this.release();
      throw error;
    }
    this.#socket = bound.socket;
    bound.socket.on('message', (data, rinfo) =>
      this.datagramReceived(data, fromAddressInfo(rinfo)),
    );
    // A send error is reported with its request (sendTo rejects); others,
    // e.g. ICMP port unreachable surfacing on some platforms, are not fatal.
    bound.socket.on('error', () => {});
    return bound.address;
  }

  protected override sendTo(data: Uint8Array, client: Address): Promise<void> {
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      if (!socket || client.family === 'unix') return reject(new Error('no socket to reply from'));
      socket.send(data, client.port, client.host, (error) => (error ? reject(error) : resolve()));
    });
  }

  protected override async unbind(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    await this.release();
  }
}
