// A listening socket and its factory (Twisted's `tcp.Port`): every accepted
// connection gets a protocol from the factory and a transport.
import type net from 'node:net';
import {
  type Address,
  fromAddressInfo,
  ListenError,
  toAddress,
  toListenError,
} from '@iomodels/contract';
import type { Factory } from './factory.js';
import { ATTACH, type Reactor } from './reactor.js';

/** Where and how to bind. */
export interface BindSettings {
  port: number;
  host: string;
  backlog: number;
}

/** What `reactor.listenTCP` returns. */
export class ListeningPort {
  /** Resolves with the bound address; rejects (`ListenError`, `AddressInUseError`) if binding fails. */
  readonly listening: Promise<Address>;
  readonly factory: Factory;
  readonly #reactor: Reactor;
  readonly #server: net.Server;
  #address: Address | undefined;
  #stopped: Promise<void> | undefined;

  constructor(reactor: Reactor, server: net.Server, factory: Factory, bind: BindSettings) {
    this.#reactor = reactor;
    this.#server = server;
    this.factory = factory;
    server.on('connection', (socket) => this.#accept(socket));
    factory.doStart();
    this.listening = new Promise<Address>((resolve, reject) => {
      const onError = (error: Error) => {
        factory.doStop();
        reject(toListenError(error, bind));
      };
      server.once('error', onError);
      server.listen({ port: bind.port, host: bind.host, backlog: bind.backlog }, () => {
        server.off('error', onError);
        // After binding, accept errors (EMFILE …) are logged; libuv retries.
        server.on('error', (error) => reactor.logError(error));
        this.#address = fromAddressInfo(server.address());
        resolve(this.#address);
      });
    });
  }

  /** The bound address; throws before `listening` resolved. */
  getHost(): Address {
    if (!this.#address) throw new ListenError('port is not listening yet');
    return this.#address;
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
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.factory.doStop();
  }

  /** An accepted socket, not read yet (`pauseOnConnect`): its transport takes the connection out of it. */
  #accept(socket: net.Socket): void {
    socket.on('error', () => {}); // until the transport takes over
    let protocol: ReturnType<Factory['buildProtocol']>;
    try {
      protocol = this.factory.buildProtocol(
        toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily),
      );
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
