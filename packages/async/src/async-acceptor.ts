// A listening socket whose accepts are posted operations (Boost.Asio's
// `ip::tcp::acceptor`): each `accept()` completes with the next connection.
import type net from 'node:net';
import { type Address, type BoundListener, ConnectionClosedError } from '@iomodels/contract';
import { AsyncSocket } from './async-socket.js';
import {
  abortReason,
  type CompletionCallback,
  type OperationOptions,
  splitArgs,
} from './completion.js';
import type { SocketSettings } from './socket-settings.js';

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
  readonly #server: net.Server;
  readonly #settings: SocketSettings;
  readonly #backlog: number;
  readonly #bound: BoundListener;
  readonly #waiting: net.Socket[] = [];
  readonly #accepts: PendingAccept[] = [];
  #closed = false;

  /**
   * @internal Use `Proactor.listen`. `server` was created with
   * `pauseOnConnect`: libuv reads nothing before a socket is taken over.
   */
  constructor(server: net.Server, settings: SocketSettings, backlog: number, bound: BoundListener) {
    this.#server = server;
    this.#settings = settings;
    this.#backlog = backlog;
    this.#bound = bound;
    server.on('connection', (socket: net.Socket) => this.#arrived(socket));
  }

  /** Where it listens: a TCP address, or the Unix socket file. */
  get address(): Address {
    return this.#bound.address;
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
      for (const socket of this.#waiting.splice(0)) socket.destroy();
    }
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
      // A Unix socket file goes with the listening socket, not with the last connection.
      this.#bound.release();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #accept(signal: AbortSignal | undefined): Promise<AsyncSocket> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#closed) return Promise.reject(new ConnectionClosedError('acceptor closed'));
    const waiting = this.#waiting.shift();
    if (waiting) return Promise.resolve(this.#wrap(waiting));
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

  #arrived(socket: net.Socket): void {
    socket.on('error', () => {}); // until its AsyncSocket listens
    const op = this.#accepts.shift();
    if (op) {
      settle(op, undefined, this.#wrap(socket));
    } else if (this.#waiting.length < this.#backlog && !this.#closed) {
      this.#waiting.push(socket); // not read meanwhile (pauseOnConnect)
    } else {
      socket.destroy();
    }
  }

  #wrap(socket: net.Socket): AsyncSocket {
    return new AsyncSocket(socket, this.#settings, 'handle');
  }
}

function settle(op: PendingAccept, error: Error | undefined, socket?: AsyncSocket): void {
  if (op.onAbort) op.signal?.removeEventListener('abort', op.onAbort);
  if (error) op.reject(error);
  else op.resolve(socket!);
}
