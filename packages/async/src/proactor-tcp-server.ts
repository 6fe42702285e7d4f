// socketserver's seam for the proactor model: every accepted connection runs
// its handler as a chain of completions — each `recv` a posted read, each
// `sendall` posted writes — on the one event loop.
import type net from 'node:net';
import {
  BaseServer,
  type HandlerSpec,
  type ModelDescription,
  type RequestContext,
  type RequestTask,
  RunningRequest,
  type ServerOptions,
} from '@iomodels/contract';
import { type AcceptedHandle, acceptHandles, nonBlockingReader } from '@iomodels/fd';
import type { AsyncSocket } from './async-socket.js';
import { Proactor } from './proactor.js';
import { ProactorConnection } from './proactor-connection.js';
import { handlePathProblem } from './read-path.js';
import type { BackendPreference } from './uring-backend.js';

/** The server's options: every server's, and the proactor's backend. */
export interface ProactorServerOptions extends ServerOptions {
  /**
   * Experimental: `'uring'` moves each accepted connection onto io_uring
   * (the optional peer `@iomodels/uring`) when usable here, else libuv.
   * Default `'libuv'`. The bin: `--backend uring`.
   */
  readonly backend?: BackendPreference;
}

/**
 * Runs portable handlers (`BaseRequestHandler`) over proactor sockets.
 * Options as every server, `maxConnections` and `idleTimeout` enforced; the
 * output of each connection is bounded by `limits.maxUnsentBytes` and
 * `limits.sendStallTimeout`, read-ahead by `limits.maxReceiveBuffer`.
 */
export class ProactorTCPServer extends BaseServer<AcceptedHandle> {
  readonly model = 'async';
  readonly mode = 'proactor';
  readonly #proactor: Proactor;

  constructor(handler: HandlerSpec, options: ProactorServerOptions = {}) {
    const { backend, ...serverOptions } = options;
    super(handler, serverOptions);
    this.#proactor = new Proactor({
      backend: backend ?? 'libuv',
      readAhead: this.limits.maxReceiveBuffer,
      idleTimeout: options.idleTimeout ?? 0,
      lingerTimeout: this.limits.lingerTimeout,
    });
  }

  protected override async prepare(): Promise<void> {
    await this.#proactor.decideBackend();
  }

  protected override async release(): Promise<void> {
    await this.#proactor.close();
  }

  /** The PROXY header is read with exact non-blocking reads; what follows is left for the proactor's reads. */
  protected override proxyByteSource(socket: net.Socket) {
    return nonBlockingReader(socket);
  }

  /**
   * On libuv, connections go from the listening handle straight to their
   * AsyncSockets: no net.Socket each. io_uring takes a net.Socket's descriptor.
   */
  protected override acceptBelowSocket(
    listener: net.Server,
    accept: (socket: AcceptedHandle) => void,
  ): void {
    if (this.#proactor.backend?.backend !== 'io_uring') acceptHandles(listener, accept);
  }

  protected processRequest(
    socket: net.Socket | AcceptedHandle,
    context: RequestContext,
  ): RequestTask {
    const asyncSocket = this.#proactor.adoptAccepted(socket);
    const connection = new ProactorConnection(asyncSocket, this.limits);
    return this.runTask(new ProactorRequest(asyncSocket), connection, context);
  }

  /** TLS is served: the accepted socket becomes a `TLSSocket`, read through fd's public-API ByteStream. */
  protected override tlsRefusal(): undefined {
    return undefined;
  }

  protected describeModel(): ModelDescription {
    const problem = handlePathProblem();
    const choice = this.#proactor.backend;
    const backend = choice
      ? `backend: ${choice.backend} (${choice.reason})`
      : 'backend: decided at listen';
    if (choice?.backend === 'io_uring') {
      return {
        io: 'each recv is a posted recv and each sendall posted sends on io_uring; the kernel completes them and posts completions to the ring, reaped in batches when its eventfd turns readable',
        completion: 'native',
        concurrency: 'one event loop; each handler is a chain of completions',
        notes: [
          'accepted through libuv (pauseOnConnect, never read), then the descriptor is duplicated onto the ring and the net.Socket closed: no epoll_wait/read/write per message',
          backend,
        ],
      };
    }
    return {
      io:
        'each recv is a posted read and each sendall posted writes; completions come from the ' +
        'event loop, which waits on the readiness demultiplexer (a completion API over readiness, as Boost.Asio on epoll)',
      completion: 'emulated',
      concurrency: 'one event loop; each handler is a chain of completions',
      notes:
        problem === undefined
          ? [
              'read path "native": each accepted socket (taken with pauseOnConnect) runs straight on its libuv handle through the ByteStream of @iomodels/fd, with no net.Socket: libuv reads into one staging buffer shared by all connections (the handle\'s user-buffer read path, onread), with no chunk allocated per read, and writes go to the handle, completing at once when the kernel takes every byte',
              'recv copies the bytes it returns out of that staging buffer into a chunk the handler owns (AsyncSocket.read into a buffer posted before the bytes arrive gets them with no copy); sendall resolves once the kernel has every byte',
              backend,
            ]
          : [
              `read path "emulated": accepted sockets run over the public net.Socket API (the ByteStream fallback of @iomodels/fd), because the handle-level path is unavailable here (${problem})`,
              'recv copies the chunk Node read into a chunk the handler owns; sendall resolves once the kernel has every byte',
              backend,
            ],
    };
  }
}

/** A running request (its `done` set by `runTask`). */
class ProactorRequest extends RunningRequest {
  readonly #socket: AsyncSocket;
  constructor(socket: AsyncSocket) {
    super();
    this.#socket = socket;
  }

  closeWrite(): void {
    this.#socket.shutdownWrite();
  }

  abort(): void {
    this.#socket.abort();
  }
}
