// ForkingUDPServer: each datagram the main event loop receives is handled
// by a pooled child process; the reply goes out from the server's socket.
import type {
  DatagramHandlerSpec,
  DatagramServerOptions,
  ErrorSink,
  ModelDescription,
} from '@iomodels/contract';
import { type ChildPoolOptions, childPoolSize, childPoolStats } from './forking-tcp-server.js';
import { PooledDatagramServer } from './pooled-datagram-server.js';
import { ProcessPool } from './process-pool.js';

export interface ForkingUDPServerOptions extends DatagramServerOptions, ChildPoolOptions {}

/**
 * Python's `ForkingUDPServer`, with a pre-forked pool: one datagram per
 * child at a time. A handler that crashes its process loses its own
 * datagram only (counted `failed`); the pool replaces the child. A child
 * past `datagramTimeout` is killed and replaced.
 */
export class ForkingUDPServer extends PooledDatagramServer<ProcessPool> {
  readonly model = 'blocking';
  readonly mode = 'forking';
  readonly maxChildren: number;
  readonly spareChildren: number;
  readonly childIdleTimeout: number;

  constructor(handler: DatagramHandlerSpec, options: ForkingUDPServerOptions = {}) {
    super(handler, options);
    ({
      maxChildren: this.maxChildren,
      spareChildren: this.spareChildren,
      childIdleTimeout: this.childIdleTimeout,
    } = childPoolSize(options));
  }

  /** Children alive, busy, their pids, and datagrams waiting for one. */
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
      datagram: true,
    });
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'the main event loop receives each datagram (epoll_wait, then recvmsg(2)); a child process handles it',
      completion: 'none',
      concurrency: `child processes, pre-forked, up to ${this.maxChildren}; one datagram per child at a time`,
      notes: [
        'Node has no synchronous recvfrom(2): the receive is a node:dgram socket on the event loop',
        'a crashing handler loses its own datagram only; the pool replaces the child',
        'a child past datagramTimeout is killed and replaced',
      ],
    };
  }
}
