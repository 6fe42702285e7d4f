// What ThreadingUDPServer and ForkingUDPServer share: each datagram the
// main event loop receives goes to a pool runner (a thread or a child) that
// runs the handler; its result comes back, and the reply goes out from the
// server's socket. The pool lives as long as the socket is bound.
import {
  type DatagramHandlerSpec,
  type DatagramRequest,
  type DatagramResult,
  type DatagramServerOptions,
  type DatagramTask,
  DatagramTimeoutError,
  type ErrorSink,
  serializeHandlerReference,
  toDatagramHandlerReference,
} from '@iomodels/contract';
import { DatagramSocketServer } from './datagram-socket-server.js';
import type { WireDatagramResult } from './datagram-wire.js';
import type { PoolRunner, RunnerPool } from './runner-pool.js';
import { base64, unbase64, type WireHandlerReference } from './wire.js';

export abstract class PooledDatagramServer<
  P extends RunnerPool<PoolRunner>,
> extends DatagramSocketServer {
  /** The handler as runners load it: by module, never by class. */
  protected readonly handlerReference: WireHandlerReference;
  #pool: P | undefined;

  constructor(handler: DatagramHandlerSpec, options: DatagramServerOptions = {}) {
    super(handler, options);
    this.handlerReference = serializeHandlerReference(toDatagramHandlerReference(handler));
  }

  /** The model's pool (of datagram runners), not started yet; `onError` is the server's `handleError`. */
  protected abstract createPool(onError: ErrorSink): P;

  /** The pool, once the server has started it. */
  protected get pool(): P | undefined {
    return this.#pool;
  }

  protected override async prepare(): Promise<void> {
    const pool = this.createPool((error, address) => this.handleError(error, address));
    await pool.start();
    this.#pool = pool;
  }

  protected override async release(): Promise<void> {
    await this.#pool?.stop();
  }

  /**
   * Queues the datagram for the next free runner. When its signal fires,
   * a request still queued is dropped; past `datagramTimeout`, a child
   * still running it is killed (and replaced) — a thread cannot be stopped,
   * its handler hears the signal if it awaits.
   */
  protected override processDatagram(request: DatagramRequest): DatagramTask {
    const { client, local, signal } = request;
    let settle!: (result: DatagramResult) => void;
    const done = new Promise<DatagramResult>((resolve) => {
      settle = resolve;
    });
    let settled = false;
    const task = this.#pool!.submit(
      undefined,
      {
        clientAddress: client,
        localAddress: local,
        signal,
        server: this.info,
        onError: (error, address) => this.handleError(error, address),
      },
      {
        data: base64(request.data),
        settle(message: WireDatagramResult | undefined) {
          if (settled) return;
          settled = true;
          const { outcome = 'failed', reply } = message ?? {};
          settle(reply === undefined ? { outcome } : { outcome, reply: unbase64(reply) });
        },
      },
    );
    signal.addEventListener(
      'abort',
      () => (DatagramTimeoutError.isInstance(signal.reason) ? task.abort() : task.closeWrite()),
      { once: true },
    );
    return { done };
  }
}
