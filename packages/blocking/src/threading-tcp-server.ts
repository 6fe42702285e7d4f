// ThreadingTCPServer: each connection's descriptor, switched to blocking,
// is served by a pooled worker thread with real blocking read(2)/write(2).
import type { Socket } from 'node:net';
import type {
  CloseOptions,
  ErrorSink,
  HandlerSpec,
  ModelDescription,
  RequestContext,
  RequestTask,
  ServerOptions,
  ShutdownReport,
} from '@iomodels/contract';
import { setBlocking } from '@iomodels/fd';
import { positiveInteger, runnerIdleTimeout, spareCount } from './pool-options.js';
import { PooledServer } from './pooled-server.js';
import { ThreadPool } from './thread-pool.js';

/**
 * Threads started at most. Python starts one per connection without a cap;
 * 128 is generous enough that ordinary use never queues, and bounds what a
 * flood costs (each thread is a V8 isolate, a few MiB).
 */
export const DEFAULT_MAX_THREADS = 128;

/**
 * Idle threads kept started ahead of demand. Python starts a thread per
 * connection in microseconds; a Node worker thread (a V8 isolate) takes
 * tens of milliseconds of CPU, so a few wait ready and the pool starts
 * the next ones in the background as they are taken.
 */
export const DEFAULT_SPARE_THREADS = 4;

/** Checks `maxThreads`, `spareThreads` and `threadIdleTimeout` and fills in their defaults (the TCP and UDP servers alike). */
export function threadPoolSize(options: {
  maxThreads?: number;
  spareThreads?: number;
  threadIdleTimeout?: number;
}) {
  const maxThreads = positiveInteger('maxThreads', options.maxThreads, DEFAULT_MAX_THREADS);
  const spareThreads = spareCount('spareThreads', options.spareThreads, DEFAULT_SPARE_THREADS, {
    min: 0,
    max: maxThreads,
  });
  const threadIdleTimeout = runnerIdleTimeout('threadIdleTimeout', options.threadIdleTimeout);
  return { maxThreads, spareThreads, threadIdleTimeout };
}

/** Threads alive, busy, and requests waiting for one. */
export function threadPoolStats(pool: ThreadPool | undefined) {
  const { runners, busy, queued } = pool?.counts() ?? { runners: 0, busy: 0, queued: 0 };
  return { threads: runners, busy, queued };
}

export interface ThreadingServerOptions extends ServerOptions {
  /** Most worker threads (default 128); further connections wait in the queue. */
  maxThreads?: number;
  /** Most connections waiting for a thread (default 1024); further ones are refused. */
  maxQueuedConnections?: number;
  /** Idle threads kept started, ready for the next connections (default 4; at most `maxThreads`). */
  spareThreads?: number;
  /**
   * Ms a thread beyond `spareThreads` may wait idle before it is stopped
   * (default 30,000; 0: never), so the pool shrinks back after a burst.
   */
  threadIdleTimeout?: number;
  /**
   * Python's `daemon_threads` (default false): when true, a thread serving a
   * connection does not keep the process alive. A thread inside read(2)
   * still cannot be stopped — see the README.
   */
  daemonThreads?: boolean;
  /**
   * Python's `block_on_close` (default true): `close()` waits for the
   * handler threads (the shutdown sequence). When false, `close()` resolves
   * once the server stopped accepting, with an empty report; open requests
   * run on until they end and `serveForever()` resolves with their report.
   */
  blockOnClose?: boolean;
}

const NOTHING_YET: ShutdownReport = Object.freeze({
  completed: 0,
  interrupted: 0,
  aborted: 0,
  abandoned: 0,
});

/**
 * Python's `ThreadingTCPServer`: a thread per connection, from a pool.
 * Handlers are loaded in each thread from a module reference; a portable
 * (async) handler and one typed with `BlockingConnection` both run.
 */
export class ThreadingTCPServer extends PooledServer<ThreadPool> {
  readonly model = 'blocking';
  readonly mode = 'threading';
  readonly maxThreads: number;
  readonly spareThreads: number;
  readonly threadIdleTimeout: number;
  readonly daemonThreads: boolean;
  readonly blockOnClose: boolean;

  constructor(handler: HandlerSpec, options: ThreadingServerOptions = {}) {
    const { maxThreads, spareThreads, threadIdleTimeout } = threadPoolSize(options);
    super(handler, options, maxThreads);
    this.maxThreads = maxThreads;
    this.spareThreads = spareThreads;
    this.threadIdleTimeout = threadIdleTimeout;
    this.daemonThreads = options.daemonThreads ?? false;
    this.blockOnClose = options.blockOnClose ?? true;
  }

  override close(options?: CloseOptions): Promise<ShutdownReport> {
    if (this.blockOnClose) return super.close(options);
    void super.close({ timeout: Number.POSITIVE_INFINITY });
    // The listener closes within a tick of close(); the requests run on.
    return new Promise((resolve) => setImmediate(() => resolve({ ...NOTHING_YET })));
  }

  /** Threads alive, busy, and connections waiting for one. */
  poolStats(): { threads: number; busy: number; queued: number } {
    return threadPoolStats(this.pool);
  }

  protected createPool(onError: ErrorSink): ThreadPool {
    return new ThreadPool({
      handler: this.handlerReference,
      maxThreads: this.maxThreads,
      spareThreads: this.spareThreads,
      threadIdleTimeout: this.threadIdleTimeout,
      daemonThreads: this.daemonThreads,
      onError,
      idleTimeout: this.options.idleTimeout,
    });
  }

  protected override processRequest(socket: Socket, context: RequestContext): RequestTask {
    setBlocking(socket, true);
    return super.processRequest(socket, context);
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'a worker thread per connection waits in a blocking read(2) on its descriptor',
      completion: 'none',
      concurrency: `worker threads, pooled, up to ${this.maxThreads}`,
      notes: [
        'a thread blocked in read(2) cannot be interrupted: close() sends FIN and reports the connections it abandoned',
        'while any thread is blocked on a silent peer the process cannot exit except by signal',
      ],
    };
  }
}
