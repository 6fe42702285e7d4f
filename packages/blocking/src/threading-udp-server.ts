// ThreadingUDPServer: each datagram the main event loop receives is handled
// by a pooled worker thread; the reply goes out from the server's socket.
import type {
  DatagramHandlerSpec,
  DatagramServerOptions,
  ErrorSink,
  ModelDescription,
} from '@iomodels/contract';
import { PooledDatagramServer } from './pooled-datagram-server.js';
import { ThreadPool } from './thread-pool.js';
import { threadPoolSize, threadPoolStats } from './threading-tcp-server.js';

export interface ThreadingUDPServerOptions extends DatagramServerOptions {
  /** Most worker threads (default 128); further datagrams wait, up to `limits.maxDatagramsInFlight` in all. */
  maxThreads?: number;
  /** Idle threads kept started, ready for the next datagrams (default 4; at most `maxThreads`). */
  spareThreads?: number;
  /** Ms a thread beyond `spareThreads` may wait idle before it is stopped (default 30,000; 0: never). */
  threadIdleTimeout?: number;
}

/**
 * Python's `ThreadingUDPServer`: each datagram handled in a thread, from a
 * pool (Python starts one per datagram). The handler is loaded in each
 * thread from a module reference (`ivr`, `echo`, `{ module, export }`).
 */
export class ThreadingUDPServer extends PooledDatagramServer<ThreadPool> {
  readonly model = 'blocking';
  readonly mode = 'threading';
  readonly maxThreads: number;
  readonly spareThreads: number;
  readonly threadIdleTimeout: number;

  constructor(handler: DatagramHandlerSpec, options: ThreadingUDPServerOptions = {}) {
    super(handler, options);
    ({
      maxThreads: this.maxThreads,
      spareThreads: this.spareThreads,
      threadIdleTimeout: this.threadIdleTimeout,
    } = threadPoolSize(options));
  }

  /** Threads alive, busy, and datagrams waiting for one. */
  poolStats(): { threads: number; busy: number; queued: number } {
    return threadPoolStats(this.pool);
  }

  protected createPool(onError: ErrorSink): ThreadPool {
    return new ThreadPool({
      handler: this.handlerReference,
      maxThreads: this.maxThreads,
      spareThreads: this.spareThreads,
      threadIdleTimeout: this.threadIdleTimeout,
      daemonThreads: false,
      onError,
      datagram: true,
    });
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'the main event loop receives each datagram (epoll_wait, then recvmsg(2)); a worker thread handles it',
      completion: 'none',
      concurrency: `worker threads, pooled, up to ${this.maxThreads}; one datagram per thread at a time`,
      notes: [
        'Node has no synchronous recvfrom(2): the receive is a node:dgram socket on the event loop',
        'the reply is sent from the server socket on the main thread',
        'a thread past datagramTimeout cannot be stopped: its reply is discarded, the thread stays busy until its handler returns',
      ],
    };
  }
}
