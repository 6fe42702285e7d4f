// One outgoing connection attempt and its retries (Twisted's Connector):
// `connectTCP` and `connectUNIX` return it; a reconnecting factory calls
// `connect()` again.
import net from 'node:net';
import {
  type Address,
  ConnectionError,
  ConnectionTimeoutError,
  formatAddress,
  socketAddresses,
  toAddress,
  toConnectError,
  unixAddress,
} from '@iomodels/contract';
import type { ClientFactory } from './client-factory.js';
import { ConnectionAborted } from './errors.js';
import {
  ATTACH,
  type ConnectDestination,
  type ConnectTCPOptions,
  type Reactor,
} from './reactor.js';

/** Twisted's default connect timeout, seconds. */
const DEFAULT_CONNECT_TIMEOUT = 30;

/** Where a connector stands. */
export type ConnectorState = 'disconnected' | 'connecting' | 'connected';

/** Connects a client factory to `host:port` or a Unix socket file, again each time `connect()` is called. */
export class Connector {
  readonly factory: ClientFactory;
  readonly #reactor: Reactor;
  readonly #destination: ConnectDestination;
  readonly #options: ConnectTCPOptions;
  #state: ConnectorState = 'disconnected';
  #socket: net.Socket | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopReason: Error | undefined;

  constructor(
    reactor: Reactor,
    destination: ConnectDestination,
    factory: ClientFactory,
    options: ConnectTCPOptions,
  ) {
    this.#reactor = reactor;
    this.#destination = destination;
    this.factory = factory;
    this.#options = options;
  }

  get state(): ConnectorState {
    return this.#state;
  }

  /** Where this connector connects to. */
  getDestination(): Address {
    const to = this.#destination;
    return to.kind === 'unix' ? unixAddress(to.path) : toAddress(to.host, to.port, undefined);
  }

  /** Starts a connection attempt. Throws unless disconnected. */
  connect(): void {
    if (this.#state !== 'disconnected') {
      throw new ConnectionError(`cannot connect while ${this.#state}`);
    }
    this.#state = 'connecting';
    this.#stopReason = undefined;
    this.#reactor.connectorStarted(this);
    this.factory.doStart();
    this.#guard(() => this.factory.startedConnecting(this));
    if (this.#state !== 'connecting') return; // stopped from startedConnecting
    const bind = this.#options.bindAddress;
    const to = this.#destination;
    const where = formatAddress(this.getDestination());
    const socket =
      to.kind === 'unix'
        ? net.connect({ path: to.path, allowHalfOpen: true })
        : net.connect({
            host: to.host,
            port: to.port,
            allowHalfOpen: true,
            ...(bind?.host !== undefined ? { localAddress: bind.host } : {}),
            ...(bind?.port !== undefined ? { localPort: bind.port } : {}),
          });
    this.#socket = socket;
    const timeout = this.#options.timeout ?? DEFAULT_CONNECT_TIMEOUT;
    this.#timer = setTimeout(() => {
      this.#stopReason = new ConnectionTimeoutError(
        `connecting to ${where} timed out after ${timeout} s`,
      );
      socket.destroy();
    }, timeout * 1000);
    const onError = (error: Error) => {
      this.#stopReason ??= toConnectError(error, this.getDestination());
    };
    const onClose = () =>
      this.#failed(this.#stopReason ?? new ConnectionError('connection failed'));
    socket.on('error', onError);
    socket.once('close', onClose);
    socket.once('connect', () => {
      clearTimeout(this.#timer);
      socket.off('error', onError);
      socket.off('close', onClose);
      this.#socket = undefined;
      // Adopted here, in 'connect', before anything reads it: the transport
      // takes the connection out of the socket.
      this.#connected(socket);
    });
  }

  /** Abandons a connection attempt in progress; the factory hears `clientConnectionFailed`. */
  stopConnecting(): void {
    if (this.#state !== 'connecting') return;
    this.#stopReason = new ConnectionAborted('connection attempt was stopped');
    if (this.#socket) this.#socket.destroy();
    else this.#failed(this.#stopReason);
  }

  /** Stops connecting, or closes the connection (flush, then close). */
  disconnect(): void {
    if (this.#state === 'connecting') this.stopConnecting();
    else if (this.#state === 'connected') this.#transportClose?.();
  }

  #transportClose: (() => void) | undefined;

  #connected(socket: net.Socket): void {
    this.#state = 'connected';
    const peer =
      this.#destination.kind === 'unix' ? this.getDestination() : socketAddresses(socket).remote;
    let protocol: ReturnType<ClientFactory['buildProtocol']>;
    try {
      protocol = this.factory.buildProtocol(peer);
    } catch (error) {
      this.#reactor.logError(error);
    }
    if (!protocol) {
      socket.destroy();
      this.#failed(new ConnectionAborted('the factory built no protocol'));
      return;
    }
    const transport = this.#reactor[ATTACH](socket, protocol, {
      onLost: (reason) => {
        this.#state = 'disconnected';
        this.#transportClose = undefined;
        this.#guard(() => this.factory.clientConnectionLost(this, reason));
        this.#settled();
      },
    });
    this.#transportClose = () => transport.loseConnection();
    transport.start();
  }

  #failed(reason: Error): void {
    clearTimeout(this.#timer);
    this.#socket = undefined;
    this.#state = 'disconnected';
    this.#guard(() => this.factory.clientConnectionFailed(this, reason));
    this.#settled();
  }

  /** After a failure or loss: unless the factory reconnected at once, the attempt is over. */
  #settled(): void {
    this.factory.doStop();
    if (this.#state === 'disconnected') this.#reactor.connectorDone(this);
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#reactor.logError(error);
    }
  }
}
