// ForkingTCPServer: each connection's descriptor is passed to a pooled
// child process that serves it with real blocking read(2)/write(2).
import type { Socket } from 'node:net';
import {
  BaseServer,
  type HandlerSpec,
  type ModelDescription,
  type RequestContext,
  type RequestTask,
  type ServerOptions,
  serializeHandlerReference,
  toHandlerReference,
} from '@iomodels/contract';
import { checkRuntime, probeRuntime } from '@iomodels/fd';
import { DEFAULT_MAX_QUEUED_CONNECTIONS, positiveInteger, withPoolCap } from './pool-options.js';
import { ProcessPool } from './process-pool.js';

/** Python's `max_children`: most child processes at once. */
export const DEFAULT_MAX_CHILDREN = 40;
/**
 * Idle children kept warm. Python forks per connection (about 1.2k
 * connections/s measured); a warm child takes a connection at once.
 */
export const DEFAULT_SPARE_CHILDREN = 2;

export interface ForkingServerOptions extends ServerOptions {
  /** Most child processes (default 40, Python's `max_children`). */
  maxChildren?: number;
  /** Idle children kept ready (default 2). */
  spareChildren?: number;
  /** Most connections waiting for a free child (default 1024); further ones are refused. */
  maxQueuedConnections?: number;
}

/**
 * Python's `ForkingTCPServer`, with a pre-forked pool: one connection per
 * child at a time. A handler that crashes its process loses only its own
 * connection; the pool replaces the child. Children never outlive the server.
 */
export class ForkingTCPServer extends BaseServer {
  readonly model = 'blocking';
  readonly mode = 'forking';
  readonly maxChildren: number;
  readonly spareChildren: number;
  readonly #handlerReference;
  #pool: ProcessPool | undefined;

  constructor(handler: HandlerSpec, options: ForkingServerOptions = {}) {
    const maxChildren = positiveInteger('maxChildren', options.maxChildren, DEFAULT_MAX_CHILDREN);
    const queued = positiveInteger(
      'maxQueuedConnections',
      options.maxQueuedConnections,
      DEFAULT_MAX_QUEUED_CONNECTIONS,
    );
    super(handler, withPoolCap(options, maxChildren + queued));
    checkRuntime();
    this.#handlerReference = serializeHandlerReference(toHandlerReference(handler));
    this.maxChildren = maxChildren;
    const spare = options.spareChildren ?? DEFAULT_SPARE_CHILDREN;
    if (!(Number.isInteger(spare) && spare >= 0)) {
      throw new RangeError(`spareChildren must be an integer >= 0, got ${spare}`);
    }
    this.spareChildren = Math.min(Math.max(spare, 1), maxChildren);
  }

  /** Children alive, busy, their pids, and connections waiting for one. */
  poolStats(): { children: number; busy: number; queued: number; pids: number[] } {
    const counts = this.#pool?.counts() ?? { children: 0, busy: 0, queued: 0 };
    return { ...counts, pids: this.#pool?.pids() ?? [] };
  }

  protected override netServerOptions() {
    return { pauseOnConnect: true };
  }

  protected override async prepare(): Promise<void> {
    await probeRuntime();
    const pool = new ProcessPool({
      handler: this.#handlerReference,
      maxChildren: this.maxChildren,
      spareChildren: this.spareChildren,
      onError: (error, address) => this.handleError(error, address),
    });
    await pool.start();
    this.#pool = pool;
  }

  protected override async release(): Promise<void> {
    await this.#pool?.stop();
  }

  protected override processRequest(socket: Socket, context: RequestContext): RequestTask {
    return this.#pool!.submit(socket, context);
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
