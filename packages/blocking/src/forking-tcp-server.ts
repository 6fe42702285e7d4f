// ForkingTCPServer: each connection's descriptor is passed to a pooled
// child process that serves it with real blocking read(2)/write(2).
import type { ErrorSink, HandlerSpec, ModelDescription, ServerOptions } from '@iomodels/contract';
import { positiveInteger, runnerIdleTimeout, spareCount } from './pool-options.js';
import { PooledServer } from './pooled-server.js';
import { ProcessPool } from './process-pool.js';

/** Python's `max_children`: most child processes at once. */
export const DEFAULT_MAX_CHILDREN = 40;
/**
 * Idle children kept warm. Python forks per connection (about 1.2k
 * connections/s measured); a warm child takes a connection at once.
 */
export const DEFAULT_SPARE_CHILDREN = 2;

/** The pool's size, for the TCP and UDP servers alike. */
export interface ChildPoolOptions {
  /** Most child processes (default 40, Python's `max_children`). */
  maxChildren?: number;
  /** Idle children kept ready (default 2). */
  spareChildren?: number;
  /**
   * Ms a child beyond `spareChildren` may wait idle before it is stopped
   * (default 30,000; 0: never), so the pool shrinks back after a burst.
   */
  childIdleTimeout?: number;
}

/** Checks `maxChildren`, `spareChildren` and `childIdleTimeout` and fills in their defaults. */
export function childPoolSize(options: ChildPoolOptions) {
  const maxChildren = positiveInteger('maxChildren', options.maxChildren, DEFAULT_MAX_CHILDREN);
  // At least one warm child: a child takes tens of milliseconds to start.
  const spareChildren = spareCount('spareChildren', options.spareChildren, DEFAULT_SPARE_CHILDREN, {
    min: 1,
    max: maxChildren,
  });
  const childIdleTimeout = runnerIdleTimeout('childIdleTimeout', options.childIdleTimeout);
  return { maxChildren, spareChildren, childIdleTimeout };
}

/** Children alive, busy, their pids, and requests waiting for one. */
export function childPoolStats(pool: ProcessPool | undefined) {
  const { runners, busy, queued } = pool?.counts() ?? { runners: 0, busy: 0, queued: 0 };
  return { children: runners, busy, queued, pids: pool?.pids() ?? [] };
}

export interface ForkingServerOptions extends ServerOptions, ChildPoolOptions {
  /** Most connections waiting for a free child (default 1024); further ones are refused. */
  maxQueuedConnections?: number;
  /**
   * Node options for each child process (default none: a child never
   * inherits the server's own, e.g. a test runner's loaders). The bin
   * passes its V8 flags here.
   */
  childExecArgv?: readonly string[];
}

/**
 * Python's `ForkingTCPServer`, with a pre-forked pool: one connection per
 * child at a time. A handler that crashes its process loses only its own
 * connection; the pool replaces the child. Children never outlive the server.
 */
export class ForkingTCPServer extends PooledServer<ProcessPool> {
  readonly model = 'blocking';
  readonly mode = 'forking';
  readonly maxChildren: number;
  readonly spareChildren: number;
  readonly childIdleTimeout: number;
  readonly #childExecArgv: readonly string[];

  constructor(handler: HandlerSpec, options: ForkingServerOptions = {}) {
    const { maxChildren, spareChildren, childIdleTimeout } = childPoolSize(options);
    super(handler, options, maxChildren);
    this.maxChildren = maxChildren;
    this.spareChildren = spareChildren;
    this.childIdleTimeout = childIdleTimeout;
    this.#childExecArgv = [...(options.childExecArgv ?? [])];
  }

  /** Children alive, busy, their pids, and connections waiting for one. */
  poolStats(): { children: number; busy: number; queued: number; pids: number[] } {
    return childPoolStats(this.pool);
  }

  protected createPool(onError: ErrorSink): ProcessPool {
    return new ProcessPool({
      handler: this.handlerReference,
      maxChildren: this.maxChildren,
      spareChildren: this.spareChildren,
      childIdleTimeout: this.childIdleTimeout,
      onError,
      idleTimeout: this.options.idleTimeout,
      execArgv: this.#childExecArgv,
    });
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'a child process per connection waits in a blocking read(2) on its copy of the descriptor',
      completion: 'none',
      concurrency: `child processes, pre-forked, up to ${this.maxChildren}`,
      notes: [
        'a crashing handler loses its own connection only; the pool replaces the child',
        'a child stuck in read(2) is killed at close(): processes, unlike threads, can always be stopped',
      ],
    };
  }
}
