// UDPServer: Python's iterative UDP server. One datagram at a time, in
// arrival order, handled on the main thread; the others wait in a bounded
// queue (`limits.maxDatagramsInFlight`; past it they are dropped and
// counted, as a full socket receive buffer drops them).
import type {
  DatagramRequest,
  DatagramResult,
  DatagramTask,
  ModelDescription,
} from '@iomodels/contract';
import { DatagramSocketServer } from './datagram-socket-server.js';

/**
 * Python's `UDPServer`: handles one datagram at a time, in arrival order, on
 * the main thread. Accepts a handler class or function as well as a module
 * reference. A handler in synchronous code blocks the event loop, as in
 * Python: datagrams then wait in the kernel's receive buffer.
 */
export class UDPServer extends DatagramSocketServer {
  readonly model = 'blocking';
  readonly mode = 'serial';
  /** The end of the queue: settles when the last queued request has had its turn. */
  #tail: Promise<unknown> = Promise.resolve();

  /**
   * Queues the request behind the others. A request whose signal fired
   * while it waited (`datagramTimeout`, shutdown) is skipped; one that runs
   * past its signal gives up its turn, so one stuck handler cannot hold the
   * whole queue (it runs on, unawaited, and its reply is discarded).
   */
  protected override processDatagram(request: DatagramRequest): DatagramTask {
    const turn = this.#tail.then((): Promise<DatagramResult> => {
      if (request.signal.aborted) return Promise.resolve({ outcome: 'failed' });
      return super.processDatagram(request).done;
    });
    this.#tail = Promise.race([turn, aborted(request.signal)]);
    return { done: turn };
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'the main event loop receives each datagram (epoll_wait, then recvmsg(2)) and handles it there',
      completion: 'none',
      concurrency:
        'none: one datagram at a time, in arrival order; the others wait in a bounded queue',
      notes: [
        'a handler in synchronous code blocks the event loop: datagrams wait in the kernel receive buffer meanwhile',
        'Node has no synchronous recvfrom(2): the receive is a node:dgram socket on the event loop',
      ],
    };
  }
}

/** Settles when `signal` fires (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}
