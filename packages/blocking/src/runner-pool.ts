// The pool core behind ThreadingTCPServer and ForkingTCPServer. Runners —
// worker threads or child processes — start on demand up to a maximum, a
// few spares are kept started ahead of demand, and each serves one
// connection at a time; connections wait in FIFO order while every runner
// is busy (the server caps how many may wait). How a runner starts, takes a
// connection, is stopped and ends is its adapter's part: thread-pool.ts,
// process-pool.ts.
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import {
  type Address,
  DatagramTimeoutError,
  type ErrorSink,
  IdleWatch,
  type RequestContext,
  type RequestOutcome,
  type RequestTask,
  resetSocket,
} from '@iomodels/contract';
import type { DatagramServeMessage, PoolDatagram } from './datagram-wire.js';
import {
  type AbortMessage,
  fromWireError,
  type RunnerMessage,
  type ServeMessage,
  toWireProxyHeader,
} from './wire.js';

/** The address errors are reported with when no connection is involved. */
const NO_ADDRESS: Address = Object.freeze({ host: '', port: 0, family: 'IPv4' });

/** Runners that die before they are ready, in a row, before the pool stops keeping spares. */
const FAILED_STARTS_BEFORE_NO_SPARES = 3;

export interface RunnerPoolOptions {
  /** Most runners alive at once; further connections wait. */
  max: number;
  /** Idle runners kept started ahead of demand (a runner takes milliseconds of CPU to start). */
  spare: number;
  /** Runners started at once at most (default: the CPUs this process may use). */
  startConcurrency?: number;
  /** Where handler errors go: the server's `handleError`. */
  onError: ErrorSink;
  /** The server's `idleTimeout` in ms (0/absent: none), watched over each busy runner's activity. */
  idleTimeout?: number;
  /**
   * Ms an idle runner beyond the `spare` ones lives before it is retired
   * (0/absent: never), so that the pool shrinks back after a burst.
   */
  retireIdleAfter?: number;
}

/** How a runner reports to its pool. */
export interface RunnerEvents<R extends PoolRunner> {
  onMessage(runner: R, message: RunnerMessage): void;
  onError(runner: R, error: Error): void;
  onExit(runner: R, code: number | null, signal: NodeJS.Signals | null): void;
}

/** One worker thread or child process, and the connection it serves, if any. */
export abstract class PoolRunner {
  job: PoolJob | undefined;
  /** It loaded the handler and said so. */
  ready = false;
  /** For messages: `handler thread 3`, `handler process 4711`. */
  abstract readonly name: string;
  #toldServer = false;
  /** While it is parked beyond the spares: the timer that retires it. */
  retireTimer: NodeJS.Timeout | undefined;

  /** Hands it `job` (the pool has set `job.runner`). */
  abstract serve(job: PoolJob): void;
  /** The server is closing: fire `job`'s handler signal where the runner can see it. */
  abstract signal(job: PoolJob): void;
  /** `close({ timeout })` ran out while it serves `job`: stop it, if it can be stopped. */
  abstract interrupt(job: PoolJob): void;
  /** Its activity count (see abort-flag.ts): a value that changes whenever it moved bytes. */
  abstract activity(): number;
  /** `job` was idle past `idleTimeout`: its handler's `recv` rejects from now on. */
  abstract timeOut(job: PoolJob): void;
  /** It has nothing to do; it waits for the next connection. */
  park(): void {}
  /** The pool is stopping and this runner has no connection: let it go. */
  abstract retire(): void;
  /** Ends it when the pool stops; resolves once it is gone, or at once where it cannot be stopped. */
  abstract end(): Promise<void>;
  /** The error to report when it dies while serving; `undefined` when that is reported elsewhere. */
  deathError(_code: number | null, _signal: NodeJS.Signals | null): Error | undefined {
    return undefined;
  }

  /** The message that hands it `job`; the server's description goes with the first one only. */
  protected serveMessage(job: PoolJob, fd: number): ServeMessage {
    const { context } = job;
    const message: ServeMessage = {
      type: 'serve',
      id: job.id,
      fd,
      remote: context.clientAddress,
      local: context.localAddress,
    };
    if (context.proxyHeader) message.proxyHeader = toWireProxyHeader(context.proxyHeader);
    this.#tellServer(message, job);
    return message;
  }

  /** The message that hands it `job`'s datagram (a datagram job: see `PoolJob.datagram`). */
  protected datagramMessage(job: PoolJob): DatagramServeMessage {
    const { context, datagram } = job;
    const message: DatagramServeMessage = {
      type: 'datagram',
      id: job.id,
      data: datagram!.data,
      client: context.clientAddress,
      local: context.localAddress,
    };
    this.#tellServer(message, job);
    return message;
  }

  /** The message that fires `job`'s signal in the runner, saying whether it ran past `datagramTimeout`. */
  protected abortMessage(job: PoolJob): AbortMessage {
    const timedOut = DatagramTimeoutError.isInstance(job.context.signal.reason);
    return { type: 'abort', id: job.id, ...(timedOut && { timedOut }) };
  }

  #tellServer(message: { server?: ServeMessage['server'] }, job: PoolJob): void {
    if (!this.#toldServer) {
      message.server = job.context.server;
      this.#toldServer = true;
    }
  }
}

let nextId = 1;

/**
 * One connection (its socket) or one datagram (`datagram`, no socket), from
 * queued to finished: the `RequestTask` the server tracks.
 */
export class PoolJob implements RequestTask {
  readonly id = nextId++;
  readonly done: Promise<RequestOutcome>;
  runner: PoolRunner | undefined;
  /** Its runner was killed to stop it: the connection is reset, and the death is no error. */
  killed = false;
  #resolve!: (outcome: RequestOutcome) => void;
  #finished = false;
  #idle: IdleWatch | undefined;

  constructor(
    readonly socket: Socket | undefined,
    readonly context: RequestContext,
    readonly pool: { dequeue(job: PoolJob): void },
    /** Set for a datagram job: the packet, and where the runner's result goes. */
    readonly datagram?: PoolDatagram,
  ) {
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  closeWrite(): void {
    if (this.runner === undefined) {
      // still queued: never served; let it go
      this.pool.dequeue(this);
      this.finish('failed');
      return;
    }
    // Our copy of the descriptor: FIN reaches the peer, and a well-behaved
    // peer's close wakes the runner's read. A datagram has no FIN.
    const { socket } = this;
    if (socket && !socket.destroyed && !socket.writableEnded) socket.end();
  }

  abort(): void {
    if (this.runner === undefined) this.closeWrite();
    else this.runner.interrupt(this);
  }

  /**
   * The contract's idle rule while `runner` serves this job, over the
   * activity it counts where it runs (no message per read or write). On
   * the verdict the runner's handler is told (its `recv` rejects with
   * `IdleTimeoutError` once its read returns) and the peer gets FIN: a
   * well-behaved peer closes, which ends a read(2) nothing else can end.
   */
  watchIdle(idleTimeout: number | undefined, runner: PoolRunner): void {
    this.#idle = IdleWatch.start(
      idleTimeout,
      () => {
        if (this.runner !== runner) return;
        runner.timeOut(this);
        this.closeWrite();
      },
      () => runner.activity(),
    );
  }

  /** Releases our copy of the descriptor (only once no runner reads it) and settles. */
  finish(outcome: RequestOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#idle?.stop();
    this.runner = undefined;
    if (this.socket === undefined) {
      // A datagram job that ends without its runner's result (never served, or its runner died): nothing to send.
      this.datagram?.settle(undefined);
    } else if (this.killed) resetSocket(this.socket);
    else this.socket.destroy();
    this.#resolve(outcome);
  }
}

/**
 * The pool: `start()` once, `submit()` each connection, `stop()` at the
 * end. An adapter supplies `createRunner()`; its runners report back
 * through the `RunnerEvents` methods.
 */
export abstract class RunnerPool<R extends PoolRunner> implements RunnerEvents<R> {
  readonly #options: RunnerPoolOptions;
  readonly #runners = new Set<R>();
  readonly #idle: R[] = [];
  readonly #queue: PoolJob[] = [];
  readonly #startConcurrency: number;
  readonly #watchedSignals = new WeakSet<AbortSignal>();
  #starting = 0;
  #busy = 0;
  #failedStarts = 0;
  #stopping = false;
  #firstReady: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: RunnerPoolOptions) {
    this.#options = options;
    this.#startConcurrency = Math.max(1, options.startConcurrency ?? availableParallelism());
  }

  /** Starts one runner; it reports to this pool through the `RunnerEvents` methods. */
  protected abstract createRunner(): R;

  /** The live runners. */
  protected get runners(): ReadonlySet<R> {
    return this.#runners;
  }

  /** Runners alive, busy, and connections waiting for one. */
  counts(): { runners: number; busy: number; queued: number } {
    return { runners: this.#runners.size, busy: this.#busy, queued: this.#queue.length };
  }

  /**
   * Starts one runner and waits until it loaded the handler (a bad handler
   * fails here); the spares then start behind it.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstReady = { resolve, reject };
      this.#spawn();
    });
  }

  /**
   * Queues a connection (or, with no socket, the datagram `datagram`); an
   * idle runner takes it at once, or one is started for it.
   */
  submit(
    socket: Socket | undefined,
    context: RequestContext,
    datagram?: PoolDatagram,
  ): RequestTask {
    const job = new PoolJob(socket, context, this, datagram);
    this.#watch(context.signal);
    const idle = this.#takeIdle();
    if (idle) this.#run(idle, job);
    else this.#queue.push(job);
    this.#grow();
    return job;
  }

  dequeue(job: PoolJob): void {
    const index = this.#queue.indexOf(job);
    if (index !== -1) this.#queue.splice(index, 1);
  }

  /** Ends every runner (see each adapter's `end`). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const runner of this.#idle) clearTimeout(runner.retireTimer);
    await Promise.all([...this.#runners].map((runner) => runner.end()));
  }

  onMessage(runner: R, message: RunnerMessage): void {
    switch (message.type) {
      case 'ready':
        runner.ready = true;
        this.#starting--;
        this.#failedStarts = 0;
        this.#firstReady?.resolve();
        this.#firstReady = undefined;
        this.#next(runner);
        this.#grow();
        return;
      case 'fatal': {
        const error = fromWireError(message.error);
        if (this.#firstReady) this.#failStart(error);
        else this.#options.onError(error, NO_ADDRESS);
        runner.retire();
        return;
      }
      case 'error': {
        const job = runner.job;
        if (job?.id === message.id) {
          this.#options.onError(fromWireError(message.error), job.context.clientAddress);
        }
        return;
      }
      case 'shutdown': {
        const job = runner.job;
        if (job?.id === message.id && job.socket && !job.socket.destroyed) job.socket.end();
        return;
      }
      case 'done': {
        const job = runner.job;
        runner.job = undefined;
        if (job) this.#busy--;
        if (job?.id === message.id) {
          if (message.datagram) job.datagram?.settle(message.datagram);
          job.finish(message.outcome);
        }
        this.#next(runner);
        return;
      }
    }
  }

  /** A thread's uncaught error, a process that could not be spawned, a broken channel. */
  onError(runner: R, error: Error): void {
    this.#options.onError(error, runner.job?.context.clientAddress ?? NO_ADDRESS);
    if (this.#firstReady && !runner.ready) this.#failStart(error);
  }

  onExit(runner: R, code: number | null, signal: NodeJS.Signals | null): void {
    this.#runners.delete(runner);
    if (!runner.ready) {
      this.#starting--;
      this.#failedStarts++;
      if (this.#firstReady) {
        this.#failStart(new Error(`${runner.name} exited (${signal ?? code}) before it was ready`));
      }
    }
    this.#removeIdle(runner);
    const job = runner.job;
    runner.job = undefined;
    if (job) {
      this.#busy--;
      const death = job.killed ? undefined : runner.deathError(code, signal);
      if (death) this.#options.onError(death, job.context.clientAddress);
      // The runner is gone, so nothing reads the descriptor any more: safe to close.
      job.finish('failed');
    }
    this.#grow();
  }

  /** The first runner could not load the handler: the pool never starts another. */
  #failStart(error: Error): void {
    this.#stopping = true;
    this.#firstReady?.reject(error);
    this.#firstReady = undefined;
  }

  /**
   * Starts runners for the waiting connections, then to keep `spare` idle
   * ones, up to `max`. A Node thread or process takes tens of milliseconds
   * of CPU to start, and runners started together share the CPU, so none of
   * them is ready until nearly all are: they start in a pipeline, and each
   * one that becomes ready takes a waiting connection and starts the next.
   * For waiting connections, at most `startConcurrency` (the CPUs this
   * process may use) or as many as are busy start at once: busy runners
   * compete for the same CPUs, and as many starting as serving keeps
   * start-up at about half the CPU while load runs. Spares, which nobody
   * waits for yet, start only once no connection waits, and no more at
   * once than there are CPUs, so that they take little from busy runners.
   */
  #grow(): void {
    if (this.#stopping || this.#firstReady) return;
    const waiting = this.#queue.length;
    let wanted: number;
    if (waiting > 0) {
      wanted = Math.min(waiting, Math.max(this.#startConcurrency, this.#busy));
    } else {
      // A runner that keeps dying before it is ready (e.g. out of memory):
      // start runners only for connections that wait, never for spares.
      const spare = this.#failedStarts >= FAILED_STARTS_BEFORE_NO_SPARES ? 0 : this.#options.spare;
      wanted = Math.min(spare - this.#idle.length, this.#startConcurrency);
    }
    while (this.#runners.size < this.#options.max && this.#starting < wanted) this.#spawn();
  }

  #spawn(): void {
    this.#starting++;
    this.#runners.add(this.createRunner());
  }

  /** Gives `runner` the next queued job, or parks it idle. */
  #next(runner: R): void {
    if (this.#stopping) {
      runner.retire();
      return;
    }
    const job = this.#queue.shift();
    if (job) {
      this.#run(runner, job);
    } else {
      runner.park();
      this.#idle.push(runner);
      this.#scheduleRetire(runner);
    }
  }

  /** The runner parked last (its caches are the warmest), no longer idle. */
  #takeIdle(): R | undefined {
    const runner = this.#idle.pop();
    if (runner) clearTimeout(runner.retireTimer);
    return runner;
  }

  #removeIdle(runner: R): void {
    clearTimeout(runner.retireTimer);
    const index = this.#idle.indexOf(runner);
    if (index !== -1) this.#idle.splice(index, 1);
  }

  /**
   * After a burst the pool holds as many runners as the burst had
   * connections, each a V8 isolate or a whole process. An idle one beyond
   * the spares is retired once it has waited `retireIdleAfter` unused (a
   * ThreadPoolExecutor's keep-alive time, Apache's MaxSpareServers);
   * connections take the runner parked last, so the ones that wait longest
   * are the ones that go. The timer does not keep the process alive.
   */
  #scheduleRetire(runner: R): void {
    const after = this.#options.retireIdleAfter ?? 0;
    if (after <= 0) return;
    runner.retireTimer = setTimeout(() => {
      if (this.#stopping || this.#idle.length <= this.#options.spare) return;
      this.#removeIdle(runner);
      runner.retire();
    }, after).unref();
  }

  #run(runner: R, job: PoolJob): void {
    runner.job = job;
    job.runner = runner;
    this.#busy++;
    runner.serve(job);
    job.watchIdle(this.#options.idleTimeout, runner);
    if (job.context.signal.aborted) runner.signal(job);
  }

  /**
   * One listener per signal (the server's shutdown signal is shared by all
   * its connections): when it fires, every runner serving a connection
   * under it hears of it; queued connections hear of it when they start.
   */
  #watch(signal: AbortSignal): void {
    if (this.#watchedSignals.has(signal)) return;
    this.#watchedSignals.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        for (const runner of this.#runners) {
          if (runner.job?.context.signal === signal) runner.signal(runner.job);
        }
      },
      { once: true },
    );
  }
}
