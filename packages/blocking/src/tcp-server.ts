// TCPServer: Python's iterative server. One connection at a time, served
// on the calling thread with blocking read(2)/write(2): while a client is
// served, the event loop is blocked — no other client, timer or signal
// gets a turn. That is the model, kept as it is; see the README.
import type { Socket } from 'node:net';
import {
  BaseServer,
  closeWithLinger,
  type HandlerSpec,
  type ModelDescription,
  type RequestContext,
  type RequestOutcome,
  type RequestTask,
  resetSocket,
  type ServerOptions,
} from '@iomodels/contract';
import {
  checkRuntime,
  descriptorOf,
  nonBlockingReader,
  probeRuntime,
  setBlocking,
} from '@iomodels/fd';
import { DescriptorConnection } from './descriptor-connection.js';

/** One accepted connection, waiting for its turn or being served. */
class SerialRequest implements RequestTask {
  readonly done: Promise<RequestOutcome>;
  resolve!: (outcome: RequestOutcome) => void;
  started = false;
  /** The handler returned; the socket waits for the peer's FIN (the linger rule). */
  lingering = false;

  constructor(
    readonly socket: Socket,
    readonly context: RequestContext,
    readonly server: TCPServer,
  ) {
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  closeWrite(): void {
    if (this.started) {
      if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
      return;
    }
    this.server.drop(this);
  }

  abort(): void {
    // A started handler is parked in an await (the loop is blocked while it
    // does IO) and may read the descriptor again: it is released after it returns.
    if (this.lingering) resetSocket(this.socket);
    else if (this.started) this.closeWrite();
    else this.server.drop(this);
  }
}

/**
 * Python's `TCPServer`: serves one connection at a time on the main thread.
 * Accepts a handler class as well as a module reference.
 */
export class TCPServer extends BaseServer {
  readonly model = 'blocking';
  readonly mode = 'serial';
  readonly #waiting: SerialRequest[] = [];
  readonly #readBuffer = Buffer.allocUnsafe(64 * 1024);
  #busy = false;

  constructor(handler: HandlerSpec, options: ServerOptions = {}) {
    super(handler, options);
    checkRuntime();
  }

  protected override async prepare(): Promise<void> {
    await probeRuntime();
  }

  /** The PROXY header is read with exact non-blocking reads; what follows is left for the handler's blocking reads. */
  protected override proxyByteSource(socket: Socket) {
    return nonBlockingReader(socket);
  }

  protected override processRequest(socket: Socket, context: RequestContext): RequestTask {
    const request = new SerialRequest(socket, context, this);
    this.#waiting.push(request);
    if (!this.#busy) setImmediate(() => this.#serveNext());
    return request;
  }

  /** Lets a connection that never got its turn go (shutdown). */
  drop(request: SerialRequest): void {
    const index = this.#waiting.indexOf(request);
    if (index === -1) return;
    this.#waiting.splice(index, 1);
    request.socket.destroy();
    request.resolve('failed');
  }

  async #serveNext(): Promise<void> {
    if (this.#busy) return;
    const request = this.#waiting.shift();
    if (!request) return;
    this.#busy = true;
    request.started = true;
    const { socket, context } = request;
    let outcome: RequestOutcome = 'failed';
    try {
      setBlocking(socket, true);
      const connection = new DescriptorConnection(
        descriptorOf(socket),
        context.clientAddress,
        context.localAddress,
        this.#readBuffer,
        {
          // libuv sends FIN from the event loop: a portable handler that
          // awaits this gets it now; a synchronous one when it returns.
          shutdownWrite: () =>
            new Promise<void>((resolve) => {
              if (socket.destroyed) return resolve();
              socket.end(resolve);
            }),
        },
      );
      outcome = await this.runHandler(connection, context);
    } catch (error) {
      context.onError(error, context.clientAddress);
    }
    this.#release(request, outcome);
    this.#busy = false;
    // Give the event loop a turn (accept, timers, close) before the next client.
    setImmediate(() => this.#serveNext());
  }

  /**
   * The contract's linger rule: FIN (sent already if the handler closed),
   * then libuv reads and drops until the peer's FIN, or resets after
   * `limits.lingerTimeout`. The request is done once the socket is released;
   * the next connection is served meanwhile.
   */
  #release(request: SerialRequest, outcome: RequestOutcome): void {
    const { socket } = request;
    try {
      setBlocking(socket, false);
    } catch {
      socket.destroy(); // the descriptor is gone already (reset)
    }
    request.lingering = true;
    closeWithLinger(socket, this.limits.lingerTimeout);
    if (socket.destroyed) request.resolve(outcome);
    else socket.once('close', () => request.resolve(outcome));
  }

  protected override describeModel(): ModelDescription {
    return {
      io: 'the main thread waits in a blocking read(2) on one connection at a time',
      completion: 'none',
      concurrency: 'none: one connection at a time; the event loop is blocked while one is served',
      notes: [
        'while a client is served, other clients wait in the listen queue and timers do not fire',
      ],
    };
  }
}
