// socketserver's seam for the non-blocking model: every accepted socket is
// O_NONBLOCK and libuv never reads it; one sweep loop on the main thread
// retries every connection's pending read(2) and write(2), and handlers run
// as coroutines resumed when their IO went through.
import type net from 'node:net';
import {
  BaseServer,
  type HandlerSpec,
  type ModelDescription,
  type RequestContext,
  type RequestTask,
  RunningRequest,
  type ServerOptions,
  UsageError,
} from '@iomodels/contract';
import {
  type AcceptedHandle,
  acceptHandles,
  checkRuntime,
  nonBlockingReader,
  probeRuntime,
} from '@iomodels/fd';
import { NonBlockingSocket } from './non-blocking-socket.js';
import {
  type PollCounters,
  PollingConnection,
  type PollingConnectionHooks,
} from './polling-connection.js';
import { SweepLoop, type SweepResult } from './sweep-loop.js';

/**
 * Default most ms between two sweeps while nothing moves. One sweep costs a
 * failed read(2) per waiting connection (~3–7 µs each, the EAGAIN error
 * included); 50 ms keeps 100 idle connections under 2% of a core while a
 * message on an idle connection waits at most 50 ms to be noticed.
 */
export const DEFAULT_POLL_INTERVAL = 50;

/** Options of {@link PollingTCPServer}: every server's, plus the polling cadence. */
export interface PollingServerOptions extends ServerOptions {
  /**
   * Most ms the loop backs off between sweeps that find nothing to do; after
   * a sweep that moved bytes the next one runs on the next event-loop turn.
   * 0 = pure busy polling (a core at 100%, lowest latency). Default 50.
   */
  pollInterval?: number;
}

/** Counters of the sweep loop since the server started. */
export interface PollStats {
  /** Sweeps run. */
  sweeps: number;
  /** read(2) calls that returned data or end of stream. */
  reads: number;
  /** write(2) calls that took bytes. */
  writes: number;
  /** Writes the kernel took only part of (the rest was retried by a later sweep). */
  partialWrites: number;
  /** read(2)/write(2) calls that failed with EAGAIN: the price of polling. */
  wouldBlock: number;
}

/**
 * The synchronous non-blocking model: a hand-written `setblocking(False)`
 * poll loop. Runs portable handlers unchanged; options as every server
 * (`maxConnections` and `idleTimeout` enforced) plus `pollInterval`. Output
 * is bounded by `limits.sendStallTimeout`: a `sendall` whose peer reads
 * nothing for that long aborts the connection.
 */
export class PollingTCPServer extends BaseServer<AcceptedHandle> {
  readonly model = 'nonblocking';
  /** `busy` when `pollInterval` is 0 (pure busy polling), else `polling` (with back-off). */
  readonly mode: 'polling' | 'busy';
  /** The effective backoff cap, ms. */
  readonly pollInterval: number;
  readonly #connections = new Set<PollingConnection>();
  readonly #counters: PollCounters = {
    sweeps: 0,
    reads: 0,
    writes: 0,
    partialWrites: 0,
    wouldBlock: 0,
  };
  readonly #loop: SweepLoop;
  /** What every connection is told: shared, so a connection holds no closures of its own. */
  readonly #hooks: PollingConnectionHooks;

  constructor(handler: HandlerSpec, options: PollingServerOptions = {}) {
    super(handler, options);
    const { pollInterval = DEFAULT_POLL_INTERVAL } = options;
    if (!(Number.isFinite(pollInterval) && pollInterval >= 0)) {
      throw new UsageError(`pollInterval must be a duration in ms (>= 0), got ${pollInterval}`);
    }
    checkRuntime();
    this.pollInterval = pollInterval;
    this.mode = pollInterval === 0 ? 'busy' : 'polling';
    this.#loop = new SweepLoop(() => this.#sweep(), pollInterval);
    this.#hooks = {
      limits: this.limits,
      idleTimeout: this.options.idleTimeout ?? 0,
      counters: this.#counters,
      wake: () => this.#loop.wake(),
      released: (released) => this.#connections.delete(released),
    };
  }

  /** What the sweep loop has done so far. */
  pollStats(): PollStats {
    return { ...this.#counters };
  }

  protected override async prepare(): Promise<void> {
    await probeRuntime();
  }

  protected override release(): void {
    for (const connection of this.#connections) connection.abort();
    this.#loop.stop();
  }

  /** The PROXY header is read with exact non-blocking reads; what follows is left for the poll loop. */
  protected override proxyByteSource(socket: net.Socket) {
    return nonBlockingReader(socket);
  }

  /** Connections go from the listening handle straight to the poll loop: no net.Socket each. */
  protected override acceptBelowSocket(
    listener: net.Server,
    accept: (socket: AcceptedHandle) => void,
  ): void {
    acceptHandles(listener, accept);
  }

  protected processRequest(
    socket: net.Socket | AcceptedHandle,
    context: RequestContext,
  ): RequestTask {
    const connection = new PollingConnection(new NonBlockingSocket(socket), this.#hooks);
    this.#connections.add(connection);
    this.#loop.accepted();
    return this.runTask(new PollingRequest(connection), connection, context);
  }

  /** One pass over every open connection, in accept order: one turn each. */
  #sweep(): SweepResult {
    this.#counters.sweeps++;
    const now = Date.now();
    let progress = false;
    let pending = false;
    // Nearly every read(2) of an idle sweep fails with EAGAIN, which Node
    // turns into a thrown Error; its stack trace is half the cost of the
    // call and nobody reads it (EAGAIN is a value here).
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      for (const connection of this.#connections) {
        if (connection.poll(now)) progress = true;
        if (connection.pending) pending = true;
      }
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    return { progress, pending };
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'every socket is O_NONBLOCK; one loop retries read(2)/write(2) on each, and EAGAIN means "not yet"',
      completion: 'none',
      concurrency: `one event loop: handlers are coroutines resumed by the sweep (backoff up to ${this.pollInterval} ms)`,
      notes: [
        'an idle connection still costs one failed read(2) per sweep: CPU grows with open connections, not traffic',
        `a message on an idle connection waits up to pollInterval (${this.pollInterval} ms) to be noticed`,
      ],
    };
  }
}

/** A running request (its `done` set by `runTask`). */
class PollingRequest extends RunningRequest {
  readonly #connection: PollingConnection;
  constructor(connection: PollingConnection) {
    super();
    this.#connection = connection;
  }

  closeWrite(): void {
    this.#connection.closeWrite();
  }

  abort(): void {
    this.#connection.abort();
  }
}
