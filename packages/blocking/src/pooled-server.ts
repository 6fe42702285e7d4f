// What ThreadingTCPServer and ForkingTCPServer share: accepted sockets,
// never read by libuv, go to a pool of runners that each serve one
// connection with blocking read(2)/write(2); the server's connection cap is
// what the pool can serve plus what may wait; the pool lives as long as
// the server listens.
import type { Socket } from 'node:net';
import {
  BaseServer,
  type ErrorSink,
  type HandlerSpec,
  type RequestContext,
  type RequestTask,
  type ServerOptions,
  serializeHandlerReference,
  toHandlerReference,
} from '@iomodels/contract';
import { checkRuntime, nonBlockingReader, probeRuntime } from '@iomodels/fd';
import { DEFAULT_MAX_QUEUED_CONNECTIONS, positiveInteger, withPoolCap } from './pool-options.js';
import type { PoolRunner, RunnerPool } from './runner-pool.js';
import type { WireHandlerReference } from './wire.js';

export abstract class PooledServer<P extends RunnerPool<PoolRunner>> extends BaseServer {
  /** The handler as runners load it: by module, never by class. */
  protected readonly handlerReference: WireHandlerReference;
  #pool: P | undefined;

  /** @param runners the pool's most runners; `maxQueuedConnections` more may wait. */
  constructor(
    handler: HandlerSpec,
    options: ServerOptions & { maxQueuedConnections?: number },
    runners: number,
  ) {
    const queued = positiveInteger(
      'maxQueuedConnections',
      options.maxQueuedConnections,
      DEFAULT_MAX_QUEUED_CONNECTIONS,
    );
    super(handler, withPoolCap(options, runners + queued));
    checkRuntime();
    this.handlerReference = serializeHandlerReference(toHandlerReference(handler));
  }

  /** The model's pool, not started yet; `onError` is the server's `handleError`. */
  protected abstract createPool(onError: ErrorSink): P;

  /** The pool, once the server has started it. */
  protected get pool(): P | undefined {
    return this.#pool;
  }

  protected override netServerOptions() {
    return { pauseOnConnect: true };
  }

  protected override async prepare(): Promise<void> {
    await probeRuntime();
    const pool = this.createPool((error, address) => this.handleError(error, address));
    await pool.start();
    this.#pool = pool;
  }

  protected override async release(): Promise<void> {
    await this.#pool?.stop();
  }

  /** The PROXY header is read with exact non-blocking reads; what follows is left for the runner's blocking reads. */
  protected override proxyByteSource(socket: Socket) {
    return nonBlockingReader(socket);
  }

  protected override processRequest(socket: Socket, context: RequestContext): RequestTask {
    return this.#pool!.submit(socket, context);
  }
}
