// socketserver's seam for the proactor model: every accepted connection runs
// its handler as a chain of completions — each `recv` a posted read, each
// `sendall` posted writes — on the one event loop.
import type net from 'node:net';
import {
  BaseServer,
  type HandlerClass,
  type HandlerSpec,
  loadHandler,
  type ModelDescription,
  type RequestContext,
  type RequestTask,
  runRequest,
  type ServerOptions,
} from '@iomodels/contract';
import { Proactor } from './proactor.js';
import { ProactorConnection } from './proactor-connection.js';

/**
 * Runs portable handlers (`BaseRequestHandler`) over proactor sockets.
 * Options as every server, `maxConnections` and `idleTimeout` enforced; the
 * output of each connection is bounded by `limits.maxUnsentBytes` and
 * `limits.sendStallTimeout`, read-ahead by `limits.maxReceiveBuffer`.
 */
export class ProactorTCPServer extends BaseServer {
  readonly model = 'async';
  readonly mode = 'proactor';
  #handlerClass: HandlerClass | undefined;
  readonly #proactor: Proactor;

  constructor(handler: HandlerSpec, options: ServerOptions = {}) {
    super(handler, options);
    this.#proactor = new Proactor({
      readAhead: this.limits.maxReceiveBuffer,
      idleTimeout: options.idleTimeout ?? 0,
      lingerTimeout: this.limits.sendStallTimeout,
    });
  }

  protected override async prepare(): Promise<void> {
    this.#handlerClass = await loadHandler(this.handler);
  }

  protected override async release(): Promise<void> {
    await this.#proactor.close();
  }

  /** Half-open connections stay writable after the peer's FIN (the handler decides when to close). */
  protected override netServerOptions(): net.ServerOpts {
    return { allowHalfOpen: true };
  }

  protected processRequest(socket: net.Socket, context: RequestContext): RequestTask {
    const asyncSocket = this.#proactor.adopt(socket);
    const connection = new ProactorConnection(asyncSocket, this.limits);
    const done = runRequest(
      this.#handlerClass!,
      connection,
      context.server,
      context.signal,
      context.onError,
    );
    return {
      done,
      closeWrite: () => asyncSocket.shutdownWrite(),
      abort: () => asyncSocket.abort(),
    };
  }

  protected describeModel(): ModelDescription {
    return {
      io:
        'each recv is a posted read and each sendall posted writes; completions come from the ' +
        'event loop, which waits on the readiness demultiplexer (a completion API over readiness, as Boost.Asio on epoll)',
      completion: 'emulated',
      concurrency: 'one event loop; each handler is a chain of completions',
      notes: [
        'accepted sockets read through Node-allocated chunks: Node 20 offers the user-buffer read path (onread) only to sockets it creates for net.connect / new net.Socket, not to sockets a net.Server accepts',
        'recv hands the handler the chunk Node read, without a copy; sendall resolves once the kernel has every byte',
        'Proactor.connect() sockets do read through onread (readPath "native"), straight into the caller\'s buffer when the read is posted before the bytes arrive',
      ],
    };
  }
}
