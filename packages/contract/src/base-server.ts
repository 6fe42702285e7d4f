// The server every model extends: the request pipeline, the lifecycle and
// the shutdown sequence, written once. A model supplies only its dispatch,
// `processRequest` — socketserver's seam, where ThreadingMixIn and
// ForkingMixIn differ.
import net from 'node:net';
import type { SecureContext } from 'node:tls';
import { AcceptedRequest, DispatchContext } from './accepted-request.js';
import {
  type Address,
  formatAddress,
  type SocketAddressFields,
  socketAddresses,
} from './address.js';
import type { HandlerClass } from './base-request-handler.js';
import { type Awaitable, type Connection, withProxyHeader } from './connection.js';
import type { ServerEndpoint } from './endpoint.js';
import { ConnectionError, ListenError, ServerClosedError, UsageError } from './errors.js';
import { type HandlerSpec, loadHandler } from './handler-reference.js';
import { DEFAULT_PROXY_HEADER_TIMEOUT, type Limits, resolveLimits } from './limits.js';
import { listenOnEndpoint, resolveServerEndpoint } from './listen-endpoint.js';
import { CidrList } from './proxy/cidr-list.js';
import { DEFAULT_MAX_PROXY_HEADER, type ProxyHeader } from './proxy/proxy-header.js';
import {
  type ProxyByteSource,
  type ReceiveProxyOptions,
  receiveProxyHeader,
} from './proxy/receive-proxy-header.js';
import {
  type EndSink,
  type ErrorSink,
  type RequestOutcome,
  type RequestRunner,
  runRequest,
  serveRequest,
} from './run-request.js';
import type { ModelDescription, ServerDescription } from './server-description.js';
import type { ServerInfo } from './server-info.js';
import { describeServer, logRequestError } from './server-log.js';
import {
  ABORT_GRACE,
  DEFAULT_BACKLOG,
  DEFAULT_SHUTDOWN_GRACE,
  type ServerOptions,
} from './server-options.js';
import { runShutdownSequence, type ShutdownReport } from './shutdown-sequence.js';
import { acceptTls, createServerTlsContext, type ServerTlsOptions } from './tls-socket.js';

/** What a model's dispatch receives with each accepted socket. */
export interface RequestContext {
  /** The peer, or the original client named by a PROXY header. */
  readonly clientAddress: Address;
  /** This end of the connection (for a Unix socket, the server's socket file). */
  readonly localAddress: Address;
  /** The PROXY header received before dispatch (`proxyProtocol` option), TLVs included. */
  readonly proxyHeader?: ProxyHeader;
  /** Fires when the server shuts down; hand it to the handler. */
  readonly signal: AbortSignal;
  readonly server: ServerInfo;
  /** The server's `handleError`, bound, for `runRequest`. */
  readonly onError: ErrorSink;
}

/** What a model's dispatch returns: a running request the server can wait for and stop. */
export interface RequestTask {
  /** Settles with the outcome once the handler finished and the connection is released; never rejects. */
  readonly done: Promise<RequestOutcome>;
  /** Send FIN to the peer. */
  closeWrite(): void;
  /** Reset the connection. */
  abort(): void;
}

/**
 * A model's running request, its `done` set by `BaseServer.runTask`: the
 * runner needs the task before its Promise exists, and then reports the
 * request's end itself (nothing chained on `done` per connection). Methods
 * on the prototype rather than two closures per (idle) connection.
 */
export abstract class RunningRequest implements RequestTask {
  /** Set by `runTask`, right after construction. */
  done!: Promise<RequestOutcome>;
  abstract closeWrite(): void;
  abstract abort(): void;
}

/**
 * What the server reads of an accepted connection before dispatch: a
 * net.Socket, or a model's lighter stand-in for one (`acceptBelowSocket`).
 */
export interface AcceptedSocket extends SocketAddressFields {
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Closes it (a refused connection). */
  destroy(): unknown;
}

/** The connection as `verifyRequest` sees it, before any handler runs. */
export interface PendingRequest {
  readonly remote: Address;
  /** Read on demand (a getsockname(2)), so read it within `verifyRequest`. */
  readonly local: Address;
}

/** Counters since the server started. */
export interface ServerStats {
  accepted: number;
  active: number;
  completed: number;
  failed: number;
  /** Ended by the idle timeout (`IdleTimeoutError`), not counted as failed. */
  timedOut: number;
  /** Refused by `verifyRequest`, `maxConnections`, or because the server was closing. */
  refused: number;
  /**
   * Closed before dispatch by the PROXY protocol receiver: a peer outside
   * the allow-list, or a header missing, malformed, too long or too slow.
   * Not counted in `refused`; no handler ran and `handleError` was not called.
   * A peer that hangs up before sending a byte (HAProxy's layer-4 health
   * checks do) refused nothing and is not counted here.
   */
  proxyRefused: number;
}

export interface CloseOptions {
  /** Grace period in ms for open requests before FIN, then RST. Default: `shutdownGrace`. */
  timeout?: number;
}

/**
 * Methods for the caller: `listen`, `serveForever`, `handleRequest`,
 * `shutdown`, `close`, `stats`, `describe`, `address`.
 * Methods that may be overridden: `verifyRequest`, `handleError`.
 * Methods for derived classes: `processRequest`, `describeModel`, and the
 * hooks `prepare`, `release`, `netServerOptions`, `proxyByteSource`,
 * `acceptBelowSocket`.
 *
 * `Bare`: what the model's `acceptBelowSocket` delivers instead of a
 * net.Socket, if anything; `processRequest` gets either.
 */
export abstract class BaseServer<Bare extends AcceptedSocket = AcceptedSocket>
  implements AsyncDisposable
{
  /** The model's name, as in `listening on … (model/mode)`. */
  abstract readonly model: string;
  /** The model's variant. */
  abstract readonly mode: string;

  readonly handler: HandlerSpec;
  readonly limits: Limits;
  /** Where `listen()` binds: `options.listen`, or `tcp:` from `host`/`port`. */
  readonly endpoint: ServerEndpoint;
  protected readonly options: Readonly<ServerOptions>;

  #listener: net.Server | undefined;
  #address: Address | undefined;
  #releaseEndpoint: () => void = () => {};
  #listening: Promise<Address> | undefined;
  #closing: Promise<ShutdownReport> | undefined;
  /** Set when `options.tls` is: every accepted socket is wrapped with it. */
  #tls: SecureContext | undefined;
  readonly #closed: Promise<ShutdownReport>;
  #resolveClosed!: (report: ShutdownReport) => void;
  readonly #tasks = new Set<RequestTask>();
  // One signal for every handler: shutdown fires them all at once anyway, and
  // an AbortController per connection would cost memory on every idle one.
  readonly #shutdownController = new AbortController();
  #info: ServerInfo | undefined;
  #handlerClass: HandlerClass | undefined;
  // Looks handleError up at call time, so an override or a spy on the instance is honoured.
  readonly #onError: ErrorSink = (error, address) => this.handleError(error, address);
  readonly #onEnded: EndSink<RequestTask> = (task, outcome) => this.#ended(task, outcome);
  /** What `runHandler` hands the runner for every request (see there). */
  #runner: RequestRunner<RequestTask> | undefined;
  readonly #counters = {
    accepted: 0,
    completed: 0,
    failed: 0,
    timedOut: 0,
    refused: 0,
    proxyRefused: 0,
  };
  // Connections whose PROXY header is still arriving: they hold a descriptor, so they count toward maxConnections.
  #receiving = 0;
  readonly #proxy: (ReceiveProxyOptions & { readonly allow: CidrList }) | undefined;
  #nextRequestWaiters: Array<(done: Promise<RequestOutcome>) => void> = [];

  constructor(handler: HandlerSpec, options: ServerOptions = {}) {
    checkOptions(options);
    this.handler = handler;
    this.options = options;
    this.limits = resolveLimits(options.limits);
    this.endpoint = resolveServerEndpoint(options);
    this.#proxy = proxyOptions(options, this.#shutdownController.signal);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** The listening address; throws before `listen()` resolved. */
  get address(): Address {
    if (!this.#address) throw new ListenError('server is not listening');
    return this.#address;
  }

  /** What handlers see of this server. */
  get info(): ServerInfo {
    this.#info ??= Object.freeze({
      model: this.model,
      mode: this.mode,
      address: this.address,
      limits: this.limits,
    });
    return this.#info;
  }

  /** Binds and starts accepting; resolves with the address. Idempotent. */
  listen(): Promise<Address> {
    if (this.#closing) return Promise.reject(new ServerClosedError('server is closed'));
    this.#listening ??= this.#listen();
    return this.#listening;
  }

  /** Listens (if not yet) and resolves when the server has been shut down, with the report. */
  async serveForever(): Promise<ShutdownReport> {
    await this.listen();
    return this.#closed;
  }

  /** Serves exactly one more request: resolves with its outcome when it has finished. */
  async handleRequest(): Promise<RequestOutcome> {
    await this.listen();
    const done = await new Promise<Promise<RequestOutcome>>((resolve) => {
      this.#nextRequestWaiters.push(resolve);
    });
    return done;
  }

  /** Stops accepting and waits, without limit, for every open request to finish. */
  shutdown(): Promise<ShutdownReport> {
    return this.close({ timeout: Number.POSITIVE_INFINITY });
  }

  /**
   * The shutdown sequence: stop accepting → fire every handler's signal →
   * wait up to `timeout` → FIN → wait → RST. Resolves with what happened to
   * the open requests. Idempotent: later calls return the first call's result.
   */
  close({ timeout }: CloseOptions = {}): Promise<ShutdownReport> {
    // Stop accepting in this same turn, not after an await: under a
    // `--workers` supervisor a connection handed over meanwhile then goes to
    // another worker instead of being refused by this closing one.
    if (this.#closing === undefined) this.#listener?.close();
    this.#closing ??= this.#close(timeout ?? this.options.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Python's `verify_request`: return false to refuse a connection before any handler runs. */
  verifyRequest(_request: PendingRequest): boolean {
    return true;
  }

  /** Python's `handle_error`: called with every error a request raised. Logs by default. */
  handleError(error: unknown, clientAddress: Address): void {
    logRequestError(this.options.log, 'request', error, clientAddress);
  }

  stats(): ServerStats {
    return { ...this.#counters, active: this.#tasks.size };
  }

  describe(): ServerDescription {
    const address = this.#address ? formatAddress(this.#address) : 'not listening';
    return describeServer(this, address, this.describeModel());
  }

  /**
   * Runs the handler over `connection` for `task` and makes the runner's
   * Promise the task's `done` (see `runHandler`'s `task`); returns `task`,
   * for `processRequest` to return.
   */
  protected runTask<T extends RunningRequest, C extends Connection>(
    task: T,
    connection: C,
    context: RequestContext,
    released?: (connection: C) => Awaitable<unknown>,
  ): T {
    task.done = this.runHandler(connection, context, released, task);
    return task;
  }

  /**
   * Runs the server's handler over `connection` with the shared runner (for
   * models that run handlers in this thread). The handler was loaded, and
   * checked, once before listening. `released`: see `runRequest` (one
   * function for every connection, so no closure is kept per connection).
   * `task`: the RequestTask this call's Promise becomes the `done` of; given,
   * the runner counts its end (no `.then` on `done` per connection). What
   * every request shares goes to the runner in one object made once, so a
   * waiting request's frame holds only its own values.
   */
  protected runHandler<C extends Connection>(
    connection: C,
    context: RequestContext,
    released?: (connection: C) => Awaitable<unknown>,
    task?: RequestTask,
  ): Promise<RequestOutcome> {
    const handlerClass = this.#handlerClass;
    if (handlerClass === undefined) throw new ListenError('server is not listening');
    const served = withProxyHeader(connection, context.proxyHeader);
    const release = released as ((connection: Connection) => Awaitable<unknown>) | undefined;
    if (!(context instanceof DispatchContext)) {
      return runRequest(
        handlerClass,
        served,
        context.server,
        context.signal,
        context.onError,
        release,
      );
    }
    // The runner itself tells the server how `task` ended: nothing is chained on its `done`.
    if (task !== undefined) context.reportingTask = task;
    const ended = task === undefined ? undefined : this.#onEnded;
    // What every request shares, made once (a model passes the same `released` each time).
    let runner = this.#runner;
    if (runner === undefined || runner.released !== release || runner.ended !== ended) {
      runner = {
        handlerClass,
        server: context.server,
        signal: context.signal,
        onError: context.onError,
        released: release,
        ended,
      };
      this.#runner = runner;
    }
    // Without a task the key is never read: `ended` is unset.
    return serveRequest(runner, served, task as RequestTask);
  }

  /**
   * Hands an accepted, verified socket to the model — a net.Socket, or the
   * model's own `Bare` stand-in where `acceptBelowSocket` took connections.
   * Must not throw for one bad connection.
   */
  protected abstract processRequest(
    socket: net.Socket | Bare,
    context: RequestContext,
  ): RequestTask;

  /** The model's part of `describe()`. */
  protected abstract describeModel(): ModelDescription;

  /**
   * How the PROXY protocol receiver reads this model's socket: one
   * non-blocking read that never waits (`null` = nothing yet). The receiver
   * reads only the header's bytes, so what follows stays in the kernel for
   * the model's own reads. `undefined` (the default): the model cannot
   * receive PROXY headers, and `proxyProtocol` fails `listen()`.
   */
  protected proxyByteSource(_socket: net.Socket): ProxyByteSource | undefined {
    return undefined;
  }

  /**
   * After binding, a model may take connections below net.Server: call
   * `accept` with each one, as its `Bare` stand-in for a socket (no
   * net.Socket built per connection). Default: nothing, the 'connection'
   * event delivers net.Sockets. Not called when `tls` or `proxyProtocol` is
   * set: both read through a net.Socket before dispatch.
   */
  protected acceptBelowSocket(_listener: net.Server, _accept: (socket: Bare) => void): void {}

  /** Runs before binding: load handlers, start pools. A throw fails `listen()`. */
  protected prepare(): void | Promise<void> {}

  /** Runs once after close: stop pools, free what `prepare` took. */
  protected release(): void | Promise<void> {}

  /**
   * Options for `net.createServer`. Default: `pauseOnConnect` (libuv reads
   * nothing before the model takes the socket over: its descriptor, its
   * handle, or its stream) and `allowHalfOpen` (the peer's FIN ends only the
   * read side; the handler decides when to close) — what every model needs.
   */
  protected netServerOptions(): net.ServerOpts {
    return { pauseOnConnect: true, allowHalfOpen: true };
  }

  /**
   * Why this model cannot serve TLS itself, or undefined when it can (it
   * keeps Node's stream layer, so a `TLSSocket` can stand in for the socket).
   */
  protected tlsRefusal(): string | undefined {
    return 'it reads and writes raw descriptors, under Node’s TLS layer; terminate TLS in front of it (e.g. HAProxy, see docs/deploy.md)';
  }

  #tlsContext(options: ServerTlsOptions): SecureContext {
    const refusal = this.tlsRefusal();
    if (refusal) throw new UsageError(`${this.model} cannot serve TLS: ${refusal}`);
    try {
      return createServerTlsContext(options);
    } catch (error) {
      throw new UsageError(`bad TLS certificate or key: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  async #listen(): Promise<Address> {
    try {
      return await this.#bind();
    } catch (error) {
      // Nothing listens: undo what prepare() took, once, and let close() know.
      this.#listening = undefined;
      await this.release();
      throw error;
    }
  }

  async #bind(): Promise<Address> {
    // Fails before binding on an unknown handler, for every model.
    this.#handlerClass = await loadHandler(this.handler);
    if (this.options.tls) this.#tls = this.#tlsContext(this.options.tls);
    // A model that never said how to read its socket cannot take a header.
    if (this.#proxy && this.proxyByteSource === BaseServer.prototype.proxyByteSource) {
      throw new UsageError(`${this.model} cannot receive PROXY protocol headers`);
    }
    await this.prepare();
    // In a node:cluster worker the primary may hand over a connection before
    // this method resumes after binding: it waits here until the address is known.
    const early: net.Socket[] = [];
    const listener = net.createServer(this.netServerOptions(), (socket) => {
      if (this.#address) this.#accept(socket);
      else early.push(socket.on('error', () => {}));
    });
    let bound: Awaited<ReturnType<typeof listenOnEndpoint>>;
    try {
      bound = await listenOnEndpoint(
        listener,
        this.endpoint,
        this.options.backlog ?? DEFAULT_BACKLOG,
      );
    } catch (error) {
      for (const socket of early.splice(0)) socket.destroy();
      throw error;
    }
    this.#releaseEndpoint = bound.release;
    // After binding, a listener error (EMFILE on accept …) is logged, not fatal: libuv retries.
    listener.on('error', (error) => this.handleError(error, this.address));
    this.#listener = listener;
    this.#address = bound.address;
    if (!this.#tls && !this.#proxy)
      this.acceptBelowSocket(listener, (socket) => this.#accept(socket));
    for (const socket of early.splice(0)) this.#accept(socket);
    return this.#address;
  }

  #accept(socket: net.Socket | Bare): void {
    this.#counters.accepted++;
    // Until the model attaches its own, an early reset must not crash the process.
    socket.on('error', ignoreError);
    const max = this.options.maxConnections;
    const address = this.#address;
    const pending: PendingRequest =
      address?.family === 'unix'
        ? socketAddresses(socket, address.path)
        : new AcceptedRequest(socket);
    let accepted = false;
    try {
      accepted =
        this.#closing === undefined &&
        (max === undefined || this.#tasks.size + this.#receiving < max) &&
        this.verifyRequest(pending);
    } catch (error) {
      this.handleError(error, pending.remote);
    }
    if (!accepted) {
      this.#counters.refused++;
      socket.destroy();
      return;
    }
    // PROXY receive, then TLS, then dispatch: a proxy (HAProxy `send-proxy`)
    // sends its header in clear before the client's TLS handshake. With
    // either set, acceptBelowSocket was not called: the socket is a net.Socket.
    if (this.#proxy) void this.#receiveProxy(socket as net.Socket, pending, this.#proxy);
    else this.#start(this.#secure(socket), pending.remote, pending);
  }

  /** The socket the model serves: the accepted one, or its server-side TLS wrap when `options.tls` is set. */
  #secure(socket: net.Socket | Bare): net.Socket | Bare {
    return this.#tls ? acceptTls(socket as net.Socket, this.#tls) : socket;
  }

  /**
   * The PROXY protocol receiver: the allow-list is checked against the real
   * peer before a byte is read; then exactly the header is read and the
   * connection is dispatched as coming from the header's source (LOCAL and
   * UNKNOWN keep the real peer). Any refusal closes the connection and is
   * counted, never reported as a bug.
   */
  async #receiveProxy(
    socket: net.Socket,
    pending: PendingRequest,
    proxy: ReceiveProxyOptions & { readonly allow: CidrList },
  ): Promise<void> {
    const peer = pending.remote;
    // A Unix peer has no IP address for the allow-list: who may connect, and
    // so send a header, is the socket file's mode (HAProxy's `unix@` servers).
    const unixPeer = peer.family === 'unix';
    // No peer address: it already hung up and reset before the accept was
    // served (getpeername fails) — what HAProxy's layer-4 health checks do.
    if (peer.host === '' && !unixPeer) {
      socket.destroy();
      return;
    }
    const allowed = unixPeer || proxy.allow.contains(peer.host);
    const read = allowed ? this.proxyByteSource(socket) : undefined;
    let header: ProxyHeader | undefined;
    // A peer that left or reset before a header (an L4 health check, a port
    // scan) is closed but not counted: it refused nothing.
    let peerLeft = false;
    if (read) {
      this.#receiving++;
      try {
        ({ header } = await receiveProxyHeader(read, proxy));
      } catch (error) {
        // Malformed, slow, cut off or reset: the peer's doing, never handleError's.
        peerLeft = ConnectionError.isInstance(error);
      } finally {
        this.#receiving--;
      }
    }
    if (peerLeft) {
      socket.destroy();
      return;
    }
    if (!header || this.#closing !== undefined || socket.destroyed) {
      this.#counters.proxyRefused++;
      socket.destroy();
      return;
    }
    const clientAddress = header.command === 'PROXY' && header.source ? header.source : peer;
    presentAs(socket, clientAddress);
    // The header was read in clear from the raw socket; TLS starts after it.
    const served = this.#secure(socket);
    if (served !== socket) presentAs(served, clientAddress);
    this.#start(served, clientAddress, pending, header);
  }

  #start(
    socket: net.Socket | Bare,
    clientAddress: Address,
    pending: PendingRequest,
    proxyHeader?: ProxyHeader,
  ): void {
    const context = new DispatchContext(
      clientAddress,
      pending,
      proxyHeader,
      this.#shutdownController.signal,
      this.info,
      this.#onError,
    );
    let task: RequestTask;
    try {
      task = this.processRequest(socket, context);
    } catch (error) {
      this.#counters.failed++;
      this.handleError(error, clientAddress);
      socket.destroy();
      return;
    }
    this.#tasks.add(task);
    const waiters = this.#nextRequestWaiters;
    this.#nextRequestWaiters = [];
    for (const waiter of waiters) waiter(task.done);
    // The runner reports the end of a task given to runHandler (it cannot end
    // before this: it awaits at least once); any other is tracked on its `done`.
    if (context.reportingTask !== task) this.#track(task);
  }

  /** Counts the task's outcome when it is done. Its own scope: the closure holds the task alone, not the socket. */
  #track(task: RequestTask): void {
    void task.done.then((outcome) => this.#ended(task, outcome));
  }

  #ended(task: RequestTask, outcome: RequestOutcome): void {
    this.#counters[outcome]++;
    this.#tasks.delete(task);
  }

  async #close(grace: number): Promise<ShutdownReport> {
    await this.#listening?.catch(() => {});
    this.#listener?.close();
    // The listening descriptor is closed: its socket file and lock go now,
    // not when the last connection ends (the bin may exit before that).
    this.#releaseEndpoint();
    const shutdown = this.#shutdownController;
    const targets = [...this.#tasks].map((task) => ({
      done: task.done,
      signal: () => shutdown.abort(new ServerClosedError('server is shutting down')),
      closeWrite: () => task.closeWrite(),
      abort: () => task.abort(),
    }));
    const report = await runShutdownSequence(targets, {
      grace,
      // After our FIN, the linger rule: up to lingerTimeout, shortened by a
      // short grace but never below 1 s — a live peer's FIN must have time to
      // come back through a loaded machine (100 ms was seen to miss on 2 cores).
      closeWriteGrace: Math.min(this.limits.lingerTimeout, Math.max(grace, 1_000)),
      abortGrace: ABORT_GRACE,
    });
    if (this.#listening) await this.release();
    this.#resolveClosed(report);
    return report;
  }
}

/** The accepted socket's error listener until the model attaches its own: one function for all. */
function ignoreError(): void {}

function proxyOptions(
  { proxyProtocol }: ServerOptions,
  signal: AbortSignal,
): (ReceiveProxyOptions & { readonly allow: CidrList }) | undefined {
  if (!proxyProtocol) return undefined;
  const { version, allow, timeout, maxHeader } = proxyProtocol;
  if (version !== 'v1' && version !== 'v2' && version !== 'auto') {
    throw new UsageError(`proxyProtocol.version must be v1, v2 or auto, got ${version}`);
  }
  return {
    version,
    allow: typeof allow === 'string' ? CidrList.parse(allow) : allow,
    timeout: timeout ?? DEFAULT_PROXY_HEADER_TIMEOUT,
    maxHeader: maxHeader ?? DEFAULT_MAX_PROXY_HEADER,
    signal,
  };
}

/**
 * Makes the socket report the original client as its peer, so every model
 * that builds its connection from `socket.remoteAddress` (in this thread or
 * after handing the socket on) sees the header's source, not the proxy.
 */
function presentAs(socket: object, client: Address): void {
  Object.defineProperties(socket, {
    remoteAddress: { value: client.host },
    remotePort: { value: client.port },
    remoteFamily: { value: client.family },
  });
}

function checkOptions(options: ServerOptions): void {
  const { port, backlog, maxConnections, idleTimeout, shutdownGrace } = options;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`port must be an integer from 0 to 65535, got ${port}`);
  }
  if (options.reuseAddress === false) {
    throw new UsageError('reuseAddress: false is not possible: libuv always sets SO_REUSEADDR');
  }
  for (const [name, value] of Object.entries({ backlog, maxConnections })) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new UsageError(`${name} must be a positive integer, got ${value}`);
    }
  }
  for (const [name, value] of Object.entries({ idleTimeout, shutdownGrace })) {
    if (value !== undefined && !(value >= 0)) {
      throw new UsageError(`${name} must be a duration in ms (>= 0), got ${value}`);
    }
  }
}
