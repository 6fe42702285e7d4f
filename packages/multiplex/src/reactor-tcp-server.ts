// The contract's server on the Reactor model: BaseServer accepts, this class
// adopts each socket into the reactor and runs the portable handler over a
// ProtocolConnection. One thread, every connection multiplexed by libuv.
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
import { ProtocolConnection } from './protocol-connection.js';
import { ATTACH, reactor as defaultReactor, type Reactor } from './reactor.js';
import type { TCPTransport } from './tcp-transport.js';

/** Options of `ReactorTCPServer`: the shared server options plus the reactor to run on. */
export interface ReactorTCPServerOptions extends ServerOptions {
  /** The reactor connections are dispatched by; default the default `reactor`. */
  reactor?: Reactor;
}

/**
 * Runs a portable handler for every connection on one reactor. Honours
 * `maxConnections` (refused past the cap, by the base server) and
 * `idleTimeout` as the contract defines it (nothing received or sent that
 * long: the handler's `recv` rejects with `IdleTimeoutError`, the request
 * counts as `timedOut`, the connection is closed). BaseServer accepts with
 * `pauseOnConnect`, so nothing reads a socket before its transport takes it;
 * without TLS and PROXY, connections arrive as bare libuv handles, with no
 * net.Socket made for them.
 */
export class ReactorTCPServer extends BaseServer<AcceptedHandle> {
  readonly model = 'multiplex';
  readonly mode = 'reactor';
  readonly reactor: Reactor;

  constructor(handler: HandlerSpec, options: ReactorTCPServerOptions = {}) {
    super(handler, options);
    this.reactor = options.reactor ?? defaultReactor;
  }

  /** The PROXY header is read with exact non-blocking reads; what follows is left for the reactor's `dataReceived`. */
  protected override proxyByteSource(socket: net.Socket) {
    return nonBlockingReader(socket);
  }

  /** Connections go from the listening handle straight to their transports: no net.Socket each. */
  protected override acceptBelowSocket(
    listener: net.Server,
    accept: (socket: AcceptedHandle) => void,
  ): void {
    acceptHandles(listener, accept);
  }

  protected processRequest(
    socket: net.Socket | AcceptedHandle,
    context: RequestContext,
  ): RequestTask {
    // The peer's address comes from the transport's stream (one Address per connection, not two).
    const connection = new ProtocolConnection(this.limits);
    const transport = this.reactor[ATTACH](socket, connection, {
      limits: this.limits,
      idleTimeout: this.options.idleTimeout || undefined,
    });
    transport.start();
    return this.runTask(new ReactorRequest(transport), connection, context, released);
  }

  /** TLS is served: the accepted socket becomes a `TLSSocket`, read through fd's public-API ByteStream. */
  protected override tlsRefusal(): undefined {
    return undefined;
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'readiness: libuv waits in the kernel demultiplexer and the reactor dispatches data events to protocols',
      completion: 'none',
      concurrency: 'one event loop; every connection is a protocol object, handlers are coroutines',
      notes: [
        'the demultiplexer is libuv’s (epoll on Linux, kqueue on macOS); the Reactor adds no poll loop of its own',
        'a handler that computes without awaiting stalls every connection, as in Twisted',
        'unsent output is bounded (maxUnsentBytes); Twisted only advises',
      ],
    };
  }
}

/**
 * The request is over once the socket is released, not just the handler:
 * awaited by the runner after its close (one function for every connection).
 */
function released(connection: ProtocolConnection): Promise<Error> | undefined {
  return connection.connected ? connection.lost : undefined;
}

/** A running request (its `done` set by `runTask`). */
class ReactorRequest extends RunningRequest {
  readonly #transport: TCPTransport;
  constructor(transport: TCPTransport) {
    super();
    this.#transport = transport;
  }

  closeWrite(): void {
    this.#transport.loseWriteConnection();
  }

  abort(): void {
    this.#transport.abortConnection();
  }
}
