// Hosts any BaseServer subclass in a worker thread and hands back a stand-in
// that behaves like the server for everything the suite uses. Made for the
// blocking serial TCPServer: it blocks its thread's event loop while it
// serves a client, so the suite's clients — which run on the test's thread —
// must not share that thread.
import type net from 'node:net';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  type Address,
  BaseServer,
  type CloseOptions,
  DEFAULT_SHUTDOWN_GRACE,
  type HandlerSpec,
  ListenError,
  type ModelDescription,
  type PendingRequest,
  type RequestContext,
  type RequestOutcome,
  type RequestTask,
  ServerClosedError,
  type ServerDescription,
  type ServerOptions,
  type ServerStats,
  type ShutdownReport,
  serializeHandlerReference,
  toHandlerReference,
  UsageError,
  unixAddress,
} from '@iomodels/contract';
import {
  deserializeError,
  type HostMessage,
  SLOT,
  SLOT_COUNT,
  VERIFY,
  type WorkerHandler,
  type WorkerHostData,
  type WorkerMessage,
} from './worker-hosted-protocol.js';

/** The worker's entry, built: Node cannot load TypeScript in a worker. */
const entryModule = new URL(
  import.meta.url.endsWith('.ts') ? '../dist/worker-hosted-entry.js' : './worker-hosted-entry.js',
  import.meta.url,
);

/** Where the server class lives: a built JS module and the export that holds the class. */
export interface WorkerServerModule {
  /** A `file:` URL, an absolute path, or a specifier resolvable from this package. */
  readonly module: URL | string;
  /** The export that holds the class, e.g. `TCPServer`. */
  readonly export: string;
}

type ReadyMessage = Extract<WorkerMessage, { type: 'ready' }>;

/**
 * Starts `new ServerClass(handler, options)` in a worker thread and resolves,
 * once it listens, with a stand-in for it. `handler` must be able to cross
 * the boundary (a short name or a module reference, not a class); `options`
 * must be structured-cloneable, except `log`, which stays on this thread:
 * the stand-in's `handleError` writes there.
 */
export function startInWorker(
  server: WorkerServerModule,
  handler: HandlerSpec,
  options: ServerOptions = {},
): Promise<WorkerHostedServer> {
  const { log: _log, ...rest } = options;
  const functions = Object.entries(rest)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name);
  if (functions.length > 0) {
    return Promise.reject(
      new UsageError(`options ${functions.join(', ')} are functions and cannot cross to a worker`),
    );
  }
  let handlerForWorker: WorkerHandler;
  try {
    handlerForWorker =
      typeof handler === 'string'
        ? handler
        : serializeHandlerReference(toHandlerReference(handler));
  } catch (error) {
    return Promise.reject(error);
  }
  const shared = new SharedArrayBuffer(SLOT_COUNT * Int32Array.BYTES_PER_ELEMENT);
  const workerData: WorkerHostData = {
    server: { module: moduleHref(server.module), export: server.export },
    handler: handlerForWorker,
    options: rest,
    shared,
  };
  let worker: Worker;
  try {
    worker = new Worker(entryModule, { workerData });
  } catch (error) {
    return Promise.reject(error);
  }
  return new Promise<WorkerHostedServer>((resolve, reject) => {
    const fail = (error: unknown) => {
      cleanup();
      void worker.terminate().finally(() => reject(error));
    };
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'ready') {
        cleanup();
        // Built here, synchronously, so it sees every message after `ready`.
        resolve(new WorkerHostedServer(handler, options, worker, shared, message));
      } else if (message.type === 'failed') {
        fail(deserializeError(message.error));
      }
    };
    const onExit = (code: number) =>
      fail(new ListenError(`the server's worker exited with code ${code} before it listened`));
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', fail);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', fail);
    worker.on('exit', onExit);
  });
}

/**
 * A server running in a worker thread, as this thread sees it.
 *
 * - `address`, `model`, `mode`, `describe()`: data the worker sent once it listened.
 * - `stats()`: synchronous, read from shared memory the worker updates from
 *   inside the server's accept and request paths.
 * - `verifyRequest`: assignable. The assigned function is evaluated once, when
 *   it is assigned, with a representative request (loopback client, port 0),
 *   and its answer goes to a shared flag the worker's `verifyRequest` reads:
 *   only constant answers cross the boundary. Assigning
 *   `BaseServer.prototype.verifyRequest` restores the server's own.
 * - `handleError(error, address)`: called for every error the worker's server
 *   reports (a plain `Error` with the original name, message, stack and code);
 *   override or spy on it as on an in-process server.
 * - `close({ timeout })`: the worker's shutdown report, then the worker ends.
 *   A serial server takes the close request only between clients; requests
 *   that were open when `close()` was called here and finished before the
 *   worker took it count as completed.
 * - `handleRequest()`, `serveForever()`, `shutdown()`, `Symbol.asyncDispose`
 *   work as on any server; `listen()` resolves at once (it already listens).
 */
export class WorkerHostedServer extends BaseServer {
  readonly model: string;
  readonly mode: string;
  readonly #worker: Worker;
  readonly #slots: Int32Array;
  readonly #address: Address;
  readonly #description: ServerDescription;
  #verify: (request: PendingRequest) => boolean = BaseServer.prototype.verifyRequest;
  #closing: Promise<ShutdownReport> | undefined;
  #crashed: unknown;
  #exited = false;
  readonly #closed: Promise<ShutdownReport>;
  #resolveClosed!: (report: ShutdownReport) => void;
  #waitingReport:
    | { resolve(report: ShutdownReport): void; reject(error: unknown): void }
    | undefined;
  #nextId = 0;
  readonly #outcomes = new Map<
    number,
    { resolve(outcome: RequestOutcome): void; reject(error: unknown): void }
  >();

  /** Use `startInWorker`. */
  constructor(
    handler: HandlerSpec,
    options: ServerOptions,
    worker: Worker,
    shared: SharedArrayBuffer,
    ready: ReadyMessage,
  ) {
    super(handler, options);
    this.model = ready.model;
    this.mode = ready.mode;
    this.#address = ready.address;
    this.#description = ready.description;
    this.#worker = worker;
    this.#slots = new Int32Array(shared);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    // An own accessor: `server.verifyRequest = fn` must reach the worker at once.
    Object.defineProperty(this, 'verifyRequest', {
      configurable: true,
      enumerable: false,
      get: () => this.#verify,
      set: (fn: (request: PendingRequest) => boolean) => this.#setVerify(fn),
    });
    worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    worker.on('error', (error) => this.#onCrash(error));
    worker.on('exit', (code) => {
      this.#exited = true;
      if (this.#closing === undefined) {
        this.#onCrash(new Error(`the server's worker exited with code ${code}`));
      } else {
        this.#failPending(
          this.#crashed ?? new Error(`the server's worker exited with code ${code}`),
        );
      }
    });
  }

  override get address(): Address {
    return this.#address;
  }

  override listen(): Promise<Address> {
    if (this.#closing) return Promise.reject(new ServerClosedError('server is closed'));
    return Promise.resolve(this.#address);
  }

  override async serveForever(): Promise<ShutdownReport> {
    await this.listen();
    return this.#closed;
  }

  override handleRequest(): Promise<RequestOutcome> {
    if (this.#closing) return Promise.reject(new ServerClosedError('server is closed'));
    if (this.#exited) return Promise.reject(this.#crashed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#outcomes.set(id, { resolve, reject });
      this.#send({ type: 'handleRequest', id });
    });
  }

  override close({ timeout }: CloseOptions = {}): Promise<ShutdownReport> {
    this.#closing ??= this.#close(timeout ?? this.options.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE);
    return this.#closing;
  }

  override stats(): ServerStats {
    const slots = this.#slots;
    return {
      accepted: Atomics.load(slots, SLOT.accepted),
      active: Atomics.load(slots, SLOT.active),
      completed: Atomics.load(slots, SLOT.completed),
      failed: Atomics.load(slots, SLOT.failed),
      timedOut: Atomics.load(slots, SLOT.timedOut),
      refused: Atomics.load(slots, SLOT.refused),
      proxyRefused: Atomics.load(slots, SLOT.proxyRefused),
    };
  }

  override describe(): ServerDescription {
    return this.#description;
  }

  /** Never called: the stand-in does not accept connections, the worker does. */
  protected processRequest(_socket: net.Socket, _context: RequestContext): RequestTask {
    throw new UsageError('a worker-hosted server accepts its connections in the worker');
  }

  protected describeModel(): ModelDescription {
    const { io, completion, concurrency, notes } = this.#description;
    return { io, completion, concurrency, notes };
  }

  #setVerify(fn: (request: PendingRequest) => boolean): void {
    this.#verify = fn;
    let decision: number;
    if (fn === BaseServer.prototype.verifyRequest) {
      decision = VERIFY.server;
    } else {
      const representative: PendingRequest = {
        remote:
          this.#address.family === 'unix'
            ? unixAddress()
            : {
                host: this.#address.family === 'IPv6' ? '::1' : '127.0.0.1',
                port: 0,
                family: this.#address.family,
              },
        local: this.#address,
      };
      try {
        decision = fn.call(this, representative) ? VERIFY.accept : VERIFY.refuse;
      } catch {
        decision = VERIFY.throws;
      }
    }
    Atomics.store(this.#slots, SLOT.verify, decision);
  }

  async #close(grace: number): Promise<ShutdownReport> {
    if (this.#exited) throw this.#crashed;
    Atomics.store(this.#slots, SLOT.closeRequested, 1);
    const report = new Promise<ShutdownReport>((resolve, reject) => {
      this.#waitingReport = { resolve, reject };
    });
    this.#send({ type: 'close', timeout: grace });
    try {
      const result = await report;
      this.#resolveClosed(result);
      return result;
    } finally {
      await this.#worker.terminate();
    }
  }

  #send(message: HostMessage): void {
    this.#worker.postMessage(message);
  }

  #onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'error':
        this.handleError(deserializeError(message.error), message.address);
        break;
      case 'closed':
        this.#waitingReport?.resolve(message.report);
        break;
      case 'outcome': {
        const waiter = this.#outcomes.get(message.id);
        this.#outcomes.delete(message.id);
        if (message.error) waiter?.reject(deserializeError(message.error));
        else waiter?.resolve(message.outcome!);
        break;
      }
    }
  }

  /** The worker died: report it like any server error, and fail what waits on it. */
  #onCrash(error: unknown): void {
    if (this.#crashed !== undefined) return;
    this.#crashed = error;
    this.handleError(error, this.#address);
    this.#failPending(error);
  }

  #failPending(error: unknown): void {
    this.#waitingReport?.reject(error);
    for (const waiter of this.#outcomes.values()) waiter.reject(error);
    this.#outcomes.clear();
  }
}

function moduleHref(module: URL | string): string {
  if (module instanceof URL) return module.href;
  return isAbsolute(module) ? pathToFileURL(module).href : module;
}
