// The proactor (Boost.Asio's `io_context`): where operations are started and
// where their completions come from. On Linux it is built, as Asio builds
// it, over the readiness demultiplexer (epoll, run by libuv).
import net from 'node:net';
import {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  listenOnEndpoint,
  type Sendable,
  type ServerEndpoint,
  toConnectError,
  toListenError,
  unixAddress,
} from '@iomodels/contract';
import { AcceptedHandle } from '@iomodels/fd';
import { type AcceptSource, netAcceptSource } from './accept-source.js';
import { AsyncAcceptor } from './async-acceptor.js';
import { AsyncSocket } from './async-socket.js';
import {
  abortReason,
  type CompletionCallback,
  type OperationOptions,
  splitArgs,
  toCallback,
} from './completion.js';
import {
  type AsyncSocketOptions,
  resolveSettings,
  type SocketSettings,
} from './socket-settings.js';
import { takeOntoRing, uringAcceptSource } from './uring-accept-source.js';
import {
  type BackendChoice,
  type BackendPreference,
  type ResolvedBackend,
  resolveBackend,
} from './uring-backend.js';

/** A proactor's options: the sockets' settings, and the backend its acceptors run on. */
export interface ProactorOptions extends AsyncSocketOptions {
  /**
   * Experimental: `'uring'` (or `'auto'`) accepts and runs connections
   * through io_uring when the optional peer `@iomodels/uring` is installed
   * and usable here, else libuv (see {@link Proactor.backend} for why).
   * Default `'libuv'`. `connect` and `adopt` always use libuv.
   */
  readonly backend?: BackendPreference;
}

/** Where `connect()` goes. */
export type ConnectTarget =
  | { readonly host?: string; readonly port: number }
  /** A Unix socket file. */
  | { readonly path: string };

/** Where `listen()` binds: a TCP port, or a Unix socket file (removed when the acceptor closes). */
export type ListenTarget =
  | {
      readonly host?: string;
      /** 0 picks a free port. */
      readonly port: number;
      readonly backlog?: number;
    }
  | {
      readonly path: string;
      /** File mode of the socket file, e.g. 0o660. */
      readonly mode?: number;
      readonly backlog?: number;
    };

/**
 * Starts asynchronous operations and delivers their completions, Promise or
 * callback. Operations on a connection are posted on its {@link AsyncSocket}
 * (as Asio posts `async_read_some` on a socket); `read` and `write` are also
 * offered here in the `proactor.read(socket, …)` form. `close()` stops every
 * acceptor and resets every socket it made — every pending operation completes.
 */
export class Proactor implements AsyncDisposable {
  readonly #socketOptions: AsyncSocketOptions;
  readonly #settings: SocketSettings;
  readonly #sockets = new Set<AsyncSocket>();
  readonly #acceptors = new Set<AsyncAcceptor>();
  readonly #preference: BackendPreference;
  #backend: Promise<ResolvedBackend> | undefined;
  #choice: BackendChoice | undefined;
  /** The loaded `@iomodels/uring` once the backend is decided as io_uring. */
  #uring: ResolvedBackend['uring'];

  constructor(options: ProactorOptions = {}) {
    const { backend, ...socketOptions } = options;
    this.#socketOptions = socketOptions;
    this.#settings = resolveSettings(socketOptions);
    this.#preference = backend ?? 'libuv';
  }

  /**
   * Which backend this proactor's acceptors run on and why (`io_uring` or
   * `emulated on libuv`); decided at the first `listen`, `undefined` before.
   */
  get backend(): BackendChoice | undefined {
    return this.#choice;
  }

  /** Sockets this proactor made that are still open. */
  get openSockets(): number {
    return this.#sockets.size;
  }

  /**
   * Binds a listening socket; connections come out of its `accept()`. Where
   * the runtime allows it, accepted sockets run straight on their libuv
   * handle (`readPath === 'native'`); otherwise over the public net.Socket
   * API (`emulated`).
   */
  /**
   * Decides the backend now (loading `@iomodels/uring` when asked) instead
   * of at the first `listen`; `adoptAccepted` uses io_uring only after this.
   */
  async decideBackend(): Promise<BackendChoice> {
    this.#backend ??= resolveBackend(this.#preference);
    const { choice, uring } = await this.#backend;
    this.#choice = choice;
    this.#uring = uring;
    return choice;
  }

  async listen(target: ListenTarget): Promise<AsyncAcceptor> {
    await this.decideBackend();
    const uring = this.#uring;
    const backlog = target.backlog ?? DEFAULT_BACKLOG;
    let source: AcceptSource;
    if ('path' in target) {
      // io_uring accepts on TCP only; a Unix socket file stays on libuv.
      source = await this.#listenNet(
        {
          kind: 'unix',
          path: target.path,
          lockfile: false,
          ...(target.mode === undefined ? {} : { mode: target.mode }),
        },
        backlog,
      );
    } else {
      const host = target.host ?? DEFAULT_HOST;
      if (uring) {
        try {
          source = uringAcceptSource(uring, host, target.port, backlog, this.#settings);
        } catch (error) {
          throw toListenError(error, { host, port: target.port });
        }
      } else {
        source = await this.#listenNet({ kind: 'tcp', host, port: target.port }, backlog);
      }
    }
    const acceptor = new AsyncAcceptor(source, backlog);
    this.#acceptors.add(acceptor);
    return acceptor;
  }

  /** Posts an accept on `acceptor` (the same as `acceptor.accept`); tracks the socket. */
  accept(acceptor: AsyncAcceptor, options?: OperationOptions): Promise<AsyncSocket>;
  accept(acceptor: AsyncAcceptor, callback: CompletionCallback<AsyncSocket>): void;
  accept(
    acceptor: AsyncAcceptor,
    options: OperationOptions,
    callback: CompletionCallback<AsyncSocket>,
  ): void;
  accept(
    acceptor: AsyncAcceptor,
    a?: OperationOptions | CompletionCallback<AsyncSocket>,
    b?: CompletionCallback<AsyncSocket>,
  ): Promise<AsyncSocket> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const promise = acceptor.accept({ signal }).then((socket) => this.#track(socket));
    if (!callback) return promise;
    toCallback(promise, callback);
    return undefined;
  }

  /**
   * Posts a connect: completes with a socket once connected, running
   * straight on its libuv handle where the runtime allows
   * (`readPath === 'native'`).
   */
  connect(target: ConnectTarget, options?: OperationOptions): Promise<AsyncSocket>;
  connect(target: ConnectTarget, callback: CompletionCallback<AsyncSocket>): void;
  connect(
    target: ConnectTarget,
    options: OperationOptions,
    callback: CompletionCallback<AsyncSocket>,
  ): void;
  connect(
    target: ConnectTarget,
    a?: OperationOptions | CompletionCallback<AsyncSocket>,
    b?: CompletionCallback<AsyncSocket>,
  ): Promise<AsyncSocket> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const promise = this.#connect(target, signal);
    if (!callback) return promise;
    toCallback(promise, callback);
    return undefined;
  }

  /**
   * Takes over a connected `net.Socket` (e.g. one a `net.Server` accepted)
   * through its public API: its reads are emulated, as the socket may
   * already be reading.
   */
  adopt(socket: net.Socket, options: AsyncSocketOptions = {}): AsyncSocket {
    const settings = resolveSettings({ ...this.#socketOptions, ...options });
    return this.#track(new AsyncSocket(socket, settings, 'socket'));
  }

  /**
   * Takes over a socket a `net.Server` created with `pauseOnConnect: true`
   * accepted: onto the io_uring ring when the backend is decided as
   * io_uring (`decideBackend`), else straight on its libuv handle where the
   * runtime allows, else (or if the socket has been read) its public API.
   * @internal Used by `ProactorTCPServer`.
   */
  adoptAccepted(socket: net.Socket | AcceptedHandle): AsyncSocket {
    // A bare handle (`acceptHandles`) is taken only while on libuv.
    const onRing =
      this.#uring &&
      !(socket instanceof AcceptedHandle) &&
      takeOntoRing(this.#uring, socket, this.#settings);
    return this.#track(onRing || new AsyncSocket(socket, this.#settings, 'handle'));
  }

  /** `socket.read(buffer, …)`, posted through the proactor: bytes into `buffer`, 0 = end of stream. */
  read(socket: AsyncSocket, buffer: Uint8Array, options?: OperationOptions): Promise<number>;
  read(socket: AsyncSocket, buffer: Uint8Array, callback: CompletionCallback<number>): void;
  read(
    socket: AsyncSocket,
    buffer: Uint8Array,
    options: OperationOptions,
    callback: CompletionCallback<number>,
  ): void;
  read(
    socket: AsyncSocket,
    buffer: Uint8Array,
    a?: OperationOptions | CompletionCallback<number>,
    b?: CompletionCallback<number>,
  ): Promise<number> | undefined {
    const [signal, callback] = splitArgs(a, b);
    if (callback) {
      socket.read(buffer, { signal }, callback);
      return undefined;
    }
    return socket.read(buffer, { signal });
  }

  /** `socket.write(data, …)`, posted through the proactor: completes once the kernel has every byte. */
  write(socket: AsyncSocket, data: Sendable, options?: OperationOptions): Promise<number>;
  write(socket: AsyncSocket, data: Sendable, callback: CompletionCallback<number>): void;
  write(
    socket: AsyncSocket,
    data: Sendable,
    options: OperationOptions,
    callback: CompletionCallback<number>,
  ): void;
  write(
    socket: AsyncSocket,
    data: Sendable,
    a?: OperationOptions | CompletionCallback<number>,
    b?: CompletionCallback<number>,
  ): Promise<number> | undefined {
    const [signal, callback] = splitArgs(a, b);
    if (callback) {
      socket.write(data, { signal }, callback);
      return undefined;
    }
    return socket.write(data, { signal });
  }

  /** Stops every acceptor and resets every open socket; pending operations complete with `ConnectionClosedError`. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.abort();
    await Promise.all([...this.#acceptors].map((acceptor) => acceptor.close()));
    this.#acceptors.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #listenNet(endpoint: ServerEndpoint, backlog: number): Promise<AcceptSource> {
    // pauseOnConnect: libuv reads nothing before the socket is taken over.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const bound = await listenOnEndpoint(server, endpoint, backlog);
    return netAcceptSource(server, this.#settings, bound);
  }

  #track(socket: AsyncSocket): AsyncSocket {
    socket.trackIn(this.#sockets);
    return socket;
  }

  #connect(target: ConnectTarget, signal: AbortSignal | undefined): Promise<AsyncSocket> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const destination =
      'path' in target
        ? unixAddress(target.path)
        : { host: target.host ?? DEFAULT_HOST, port: target.port };
    const socket =
      'path' in target
        ? net.connect({ path: target.path, allowHalfOpen: true })
        : net.connect({ host: destination.host, port: destination.port, allowHalfOpen: true });
    return new Promise<AsyncSocket>((resolve, reject) => {
      const onAbort = () => {
        cleanup();
        socket.destroy();
        reject(abortReason(signal!));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(toConnectError(error, destination));
      };
      const onConnect = () => {
        cleanup();
        // Taken over in 'connect', before Node starts reading it.
        resolve(this.#track(new AsyncSocket(socket, this.#settings, 'handle')));
      };
      const cleanup = () => {
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        socket.off('connect', onConnect);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', onConnect);
    });
  }
}
