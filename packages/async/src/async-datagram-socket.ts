// A UDP socket whose receives and sends are posted operations (Boost.Asio's
// `ip::udp::socket` with `async_receive_from` / `async_send_to`): each
// `recvFrom()` completes with one datagram and its sender. Built on libuv's
// readiness like the rest of this package; the API is completion.
import type dgram from 'node:dgram';
import {
  type Address,
  bindDatagramSocket,
  ConnectionClosedError,
  DEFAULT_LIMITS,
  fromAddressInfo,
  resolveDatagramEndpoint,
  type Sendable,
  toBytes,
  type UdpEndpoint,
} from '@iomodels/contract';
import {
  abortReason,
  type CompletionCallback,
  inForm,
  type OperationOptions,
  splitArgs,
} from './completion.js';

/** One received datagram and where it came from. */
export interface Datagram {
  readonly data: Uint8Array;
  readonly address: Address;
}

/** Where a datagram goes: an `Address`, or just a host and port. */
export type DatagramDestination = Pick<Address, 'host' | 'port'>;

/** Bounds of one datagram socket. */
export interface AsyncDatagramSocketOptions {
  /** Larger datagrams are dropped and counted (`oversized`). Default `DEFAULT_LIMITS.maxPacketSize` (8192). */
  maxPacketSize?: number;
  /**
   * Datagrams held while no `recvFrom` is posted; past it arrivals are
   * dropped and counted (`dropped`), as a full socket receive buffer drops
   * them. Default 256 (`DEFAULT_LIMITS.maxDatagramsInFlight`): with 8 KiB
   * datagrams at most 2 MiB held.
   */
  maxQueued?: number;
}

interface PendingReceive {
  resolve: (datagram: Datagram) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A bound UDP socket. Several `recvFrom`s may be posted at once (datagrams
 * are independent, unlike a stream's bytes); they complete in the order they
 * were posted, each with one whole datagram.
 */
export class AsyncDatagramSocket implements AsyncDisposable, AsyncIterable<Datagram> {
  /** The bound address. */
  readonly address: Address;
  readonly maxPacketSize: number;
  readonly maxQueued: number;
  readonly #socket: dgram.Socket;
  readonly #arrived: Datagram[] = [];
  readonly #receives: PendingReceive[] = [];
  #closed: Promise<void> | undefined;
  #counters = { received: 0, dropped: 0, oversized: 0 };

  /**
   * Binds a UDP socket on `target`: a port (on 127.0.0.1), an endpoint string
   * (`udp:8009:interface=::1`) or a parsed one. Rejects with
   * `AddressInUseError` / `ListenError`.
   */
  static async bind(
    target: number | string | UdpEndpoint,
    options: AsyncDatagramSocketOptions = {},
  ): Promise<AsyncDatagramSocket> {
    const endpoint =
      typeof target === 'number'
        ? resolveDatagramEndpoint({ port: target })
        : resolveDatagramEndpoint({ listen: target });
    const { socket, address } = await bindDatagramSocket(endpoint);
    return new AsyncDatagramSocket(socket, address, options);
  }

  /** @internal Use {@link AsyncDatagramSocket.bind}. */
  constructor(socket: dgram.Socket, address: Address, options: AsyncDatagramSocketOptions = {}) {
    this.#socket = socket;
    this.address = address;
    this.maxPacketSize = options.maxPacketSize ?? DEFAULT_LIMITS.maxPacketSize;
    this.maxQueued = options.maxQueued ?? DEFAULT_LIMITS.maxDatagramsInFlight;
    socket.on('message', (data, rinfo) => this.#arrive(data, rinfo));
    // Errors after binding are a send's (it reports them) or the kernel's
    // (an ICMP unreachable for an earlier send): neither ends the socket.
    socket.on('error', () => {});
  }

  /** Datagrams that arrived, and those dropped for the queue bound or for their size. */
  stats(): { received: number; dropped: number; oversized: number; queued: number } {
    return { ...this.#counters, queued: this.#arrived.length };
  }

  /**
   * Posts a receive: completes with the next datagram and its sender.
   * Cancelling (`signal`) completes it with the signal's reason and takes no
   * datagram; closing the socket completes it with `ConnectionClosedError`.
   */
  recvFrom(options?: OperationOptions): Promise<Datagram>;
  recvFrom(callback: CompletionCallback<Datagram>): void;
  recvFrom(options: OperationOptions, callback: CompletionCallback<Datagram>): void;
  recvFrom(
    a?: OperationOptions | CompletionCallback<Datagram>,
    b?: CompletionCallback<Datagram>,
  ): Promise<Datagram> | undefined {
    const [signal, callback] = splitArgs(a, b);
    return inForm(this.#recvFrom(signal), callback);
  }

  /**
   * Posts a send of one datagram to `address`: completes with its length
   * once the kernel took it. Cancelling stops the wait, not the datagram.
   */
  sendTo(data: Sendable, address: DatagramDestination, options?: OperationOptions): Promise<number>;
  sendTo(data: Sendable, address: DatagramDestination, callback: CompletionCallback<number>): void;
  sendTo(
    data: Sendable,
    address: DatagramDestination,
    options: OperationOptions,
    callback: CompletionCallback<number>,
  ): void;
  sendTo(
    data: Sendable,
    address: DatagramDestination,
    a?: OperationOptions | CompletionCallback<number>,
    b?: CompletionCallback<number>,
  ): Promise<number> | undefined {
    const [signal, callback] = splitArgs(a, b);
    return inForm(this.#sendTo(toBytes(data), address, signal), callback);
  }

  /** Closes the socket (the port is free once this resolves); posted receives fail. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      const closed = new ConnectionClosedError('the datagram socket was closed');
      for (const pending of this.#receives.splice(0)) this.#settle(pending).reject(closed);
      this.#arrived.length = 0;
      this.#socket.close(() => resolve());
    });
    return this.#closed;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Every datagram as it arrives, until the socket closes. */
  async *[Symbol.asyncIterator](): AsyncIterator<Datagram> {
    for (;;) {
      try {
        yield await this.recvFrom();
      } catch (error) {
        if (ConnectionClosedError.isInstance(error)) return;
        throw error;
      }
    }
  }

  #recvFrom(signal: AbortSignal | undefined): Promise<Datagram> {
    if (this.#closed)
      return Promise.reject(new ConnectionClosedError('the datagram socket is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const ready = this.#arrived.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const pending: PendingReceive = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        pending.onAbort = () => {
          const at = this.#receives.indexOf(pending);
          if (at !== -1) this.#receives.splice(at, 1);
          this.#settle(pending).reject(abortReason(signal));
        };
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#receives.push(pending);
    });
  }

  #sendTo(
    data: Uint8Array,
    to: DatagramDestination,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    if (this.#closed)
      return Promise.reject(new ConnectionClosedError('the datagram socket is closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const sent = new Promise<number>((resolve, reject) =>
      this.#socket.send(data, to.port, to.host, (error) =>
        error ? reject(error) : resolve(data.length),
      ),
    );
    if (!signal) return sent;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      sent.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #arrive(data: Buffer, rinfo: dgram.RemoteInfo): void {
    this.#counters.received++;
    if (data.length > this.maxPacketSize) {
      this.#counters.oversized++;
      return;
    }
    const datagram: Datagram = {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      address: fromAddressInfo(rinfo as unknown as object),
    };
    const pending = this.#receives.shift();
    if (pending) {
      this.#settle(pending).resolve(datagram);
    } else if (this.#arrived.length < this.maxQueued) {
      this.#arrived.push(datagram);
    } else {
      this.#counters.dropped++;
    }
  }

  /** Detaches a pending receive from its signal, for settling. */
  #settle(pending: PendingReceive): PendingReceive {
    if (pending.onAbort) pending.signal?.removeEventListener('abort', pending.onAbort);
    return pending;
  }
}
