// A listening socket and its factory (Twisted's `tcp.Port`): every accepted
// connection gets a protocol from the factory and a transport.
import type net from 'node:net';
import {
  type Address,
  type BoundListener,
  ListenError,
  listenOnEndpoint,
  type ServerEndpoint,
  socketAddresses,
} from '@iomodels/contract';
import { type AcceptedHandle, acceptHandles } from '@iomodels/fd';
import type { Factory } from './factory.js';
import { ATTACH, type Reactor } from './reactor.js';

/** Where and how to bind: an endpoint (`tcp:` or `unix:`) and the listen queue length. */
export interface BindSettings {
  endpoint: ServerEndpoint;
  backlog: number;
}

/** What `reactor.listenTCP` and `reactor.listenUNIX` return (Twisted's `tcp.Port` / `unix.Port`). */
export class ListeningPort {
  /** Resolves with the bound address; rejects (`ListenError`, `AddressInUseError`) if binding fails. */
  readonly listening: Promise<Address>;
  readonly factory: Factory;
  readonly #reactor: Reactor;
  readonly #server: net.Server;
  #bound: BoundListener | undefined;
  #stopped: Promise<void> | undefined;

  constructor(reactor: Reactor, server: net.Server, factory: Factory, bind: BindSettings) {
    this.#reactor = reactor;
    this.#server = server;
    this.factory = factory;
    server.on('connection', (socket) => this.#accept(socket));
    factory.doStart();
    this.listening = listenOnEndpoint(server, bind.endpoint, bind.backlog).then(
      (bound) => {
        // After binding, accept errors (EMFILE …) are logged; libuv retries.
        server.on('error', (error) => reactor.logError(error));
        // From now on connections come as bare handles, no net.Socket each
        // (where the runtime allows; else 'connection' keeps delivering them).
        acceptHandles(server, (socket) => this.#accept(socket));
        this.#bound = bound;
        return bound.address;
      },
      (error: unknown) => {
        factory.doStop();
        throw error;
      },
    );
  }

  /** The bound address; throws before `listening` resolved. */
  getHost(): Address {
    if (!this.#bound) throw new ListenError('port is not listening yet');
    return this.#bound.address;
  }

  /** Stops accepting; open connections stay. Resolves once the listening socket is closed. Idempotent. */
  stopListening(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<void> {
    this.#reactor.portStopped(this);
    try {
      await this.listening;
    } catch {
      return; // never bound: nothing to close
    }
    // server.close()'s callback waits for every open connection; the
    // listening socket itself is closed by the next turn of the loop.
    this.#server.close();
    // A Unix socket file (and its lock) goes with the listening socket.
    this.#bound?.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.factory.doStop();
  }

  /** An accepted socket, not read yet (`pauseOnConnect`): its transport takes the connection out of it. */
  #accept(socket: net.Socket | AcceptedHandle): void {
    socket.on('error', () => {}); // until the transport takes over
    let protocol: ReturnType<Factory['buildProtocol']>;
    try {
      protocol = this.factory.buildProtocol(socketAddresses(socket).remote);
    } catch (error) {
      this.#reactor.logError(error);
    }
    if (!protocol) {
      socket.destroy();
      return;
    }
    this.#reactor[ATTACH](socket, protocol).start();
  }
}
