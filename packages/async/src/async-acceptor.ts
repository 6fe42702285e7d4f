// A listening socket whose accepts are posted operations (Boost.Asio's
// `ip::tcp::acceptor`): each `accept()` completes with the next connection.
import { type Address, ConnectionClosedError } from '@iomodels/contract';
import type { AcceptSource, Arrival } from './accept-source.js';
import type { AsyncSocket } from './async-socket.js';
import {
  abortReason,
  type CompletionCallback,
  type OperationOptions,
  splitArgs,
} from './completion.js';

interface PendingAccept {
  resolve: (socket: AsyncSocket) => void;
  reject: (error: Error) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * Accepts connections one posted `accept()` at a time. Connections that
 * arrive with no accept posted wait in a queue (bounded by `backlog`, past
 * which they are refused) — the kernel's listen queue, one level up.
 */
export class AsyncAcceptor implements AsyncDisposable {
  readonly #source: AcceptSource;
  readonly #backlog: number;
  readonly #waiting: Arrival[] = [];
  readonly #accepts: PendingAccept[] = [];
  #closed = false;

  /**
   * @internal Use `Proactor.listen`. `source` is a `net.Server` created with
   * `pauseOnConnect` (libuv reads nothing before a socket is taken over) or
   * a descriptor accepting through io_uring.
   */
  constructor(source: AcceptSource, backlog: number) {
    this.#source = source;
    this.#backlog = backlog;
    source.start((arrival) => this.#arrived(arrival));
  }

  /** Where it listens: a TCP address, or the Unix socket file. */
  get address(): Address {
    return this.#source.address;
  }

  /** Posts an accept: completes with the next connection. */
  accept(options?: OperationOptions): Promise<AsyncSocket>;
  accept(callback: CompletionCallback<AsyncSocket>): void;
  accept(options: OperationOptions, callback: CompletionCallback<AsyncSocket>): void;
  accept(
    a?: OperationOptions | CompletionCallback<AsyncSocket>,
    b?: CompletionCallback<AsyncSocket>,
  ): Promise<AsyncSocket> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const promise = this.#accept(signal);
    if (!callback) return promise;
    promise.then(
      (socket) => callback(null, socket),
      (error: Error) => callback(error),
    );
    return undefined;
  }

  /** Stops listening; pending accepts complete with `ConnectionClosedError`, queued connections are reset. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      const error = new ConnectionClosedError('acceptor closed');
      for (const op of this.#accepts.splice(0)) settle(op, error);
      for (const arrival of this.#waiting.splice(0)) arrival.refuse();
    }
    return this.#source.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(signal: AbortSignal | undefined): Promise<AsyncSocket> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#closed) return Promise.reject(new ConnectionClosedError('acceptor closed'));
    const waiting = this.#waiting.shift();
    if (waiting) return Promise.resolve(waiting.take());
    return new Promise((resolve, reject) => {
      const op: PendingAccept = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        op.onAbort = () => {
          const index = this.#accepts.indexOf(op);
          if (index !== -1) this.#accepts.splice(index, 1);
          settle(op, abortReason(signal));
        };
        signal.addEventListener('abort', op.onAbort, { once: true });
      }
      this.#accepts.push(op);
    });
  }

  #arrived(arrival: Arrival): void {
    const op = this.#accepts.shift();
    if (op) {
      settle(op, undefined, arrival.take());
    } else if (this.#waiting.length < this.#backlog && !this.#closed) {
      this.#waiting.push(arrival); // not read meanwhile
    } else {
      arrival.refuse();
    }
  }
}

function settle(op: PendingAccept, error: Error | undefined, socket?: AsyncSocket): void {
  if (op.onAbort) op.signal?.removeEventListener('abort', op.onAbort);
  if (error) op.reject(error);
  else op.resolve(socket!);
}
