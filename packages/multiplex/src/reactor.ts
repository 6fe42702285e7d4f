// The Reactor (Twisted's `reactor`) over Node's event loop. libuv is the
// demultiplexer: it waits in epoll (Linux) / kqueue (macOS) and tells us which
// sockets are ready; this class turns that into protocol events and timers.
import net from 'node:net';
import {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  type Limits,
  resolveDatagramEndpoint,
  resolveLimits,
  type ServerEndpoint,
  socketAddresses,
  type UdpEndpoint,
} from '@iomodels/contract';
import type { AcceptedHandle } from '@iomodels/fd';
import type { ClientFactory } from './client-factory.js';
import { Connector } from './connector.js';
import type { DatagramProtocol } from './datagram-protocol.js';
import { DelayedCall, type DelayedCallScheduler, RUN_CALL } from './delayed-call.js';
import type { Factory } from './factory.js';
import { ListeningPort } from './listening-port.js';
import type { Protocol } from './protocol.js';
import type { ReactorTime } from './reactor-time.js';
import { READ_BUFFER_SIZE, TCPTransport, type TransportHost } from './tcp-transport.js';
import { UDPPort, type UDPPortHost } from './udp-port.js';

/** Internal: attach a protocol to a connected socket. Not exported from the package. */
export const ATTACH = Symbol('attachProtocol');

/**
 * Internal (tests): `'socket'` makes this reactor's transports use the
 * public net.Socket stream even where the handle-level one is supported.
 */
export const STREAM_KIND = Symbol('streamKind');

/** Settings of one reactor. */
export interface ReactorOptions {
  /** Where errors thrown by protocols and delayed calls go. Default: `console.error`. */
  onError?: (error: unknown) => void;
  /** Per-connection output bounds for every transport; default the contract's. */
  limits?: Partial<Limits>;
}

/** Options of `listenTCP`. */
export interface ListenTCPOptions {
  /** Interface to bind; default `127.0.0.1` (Twisted's default is every interface). */
  host?: string;
  /** Listen queue length; default 511. */
  backlog?: number;
}

/** Options of `listenUDP`. */
export interface ListenUDPOptions {
  /** Interface to bind when `port` is a number; default `127.0.0.1`. */
  host?: string;
  /** Larger datagrams are dropped and counted (`port.oversized`); default `limits.maxPacketSize` (8192, Twisted's default too). */
  maxPacketSize?: number;
}

/** Options of `listenUNIX`. */
export interface ListenUNIXOptions {
  /** Listen queue length; default 511. */
  backlog?: number;
  /** File mode of the socket file, e.g. 0o660; default: as the umask leaves it. */
  mode?: number;
  /** Twisted's `wantPID`: guard the socket file with `PATH.lock` (see `listenUNIX`). Default false. */
  wantPID?: boolean;
}

/** Options of `connectUNIX`. */
export interface ConnectUNIXOptions {
  /** Seconds to wait for the connection; default 30, as in Twisted. */
  timeout?: number;
}

/** Where a connector connects: a TCP host and port, or a Unix socket file. */
export type ConnectDestination =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string };

/** Options of `connectTCP`. */
export interface ConnectTCPOptions {
  /** Seconds to wait for the connection; default 30, as in Twisted. */
  timeout?: number;
  /** Local address to bind before connecting. */
  bindAddress?: { host?: string; port?: number };
}

/** Per-connection options for the internal attach. */
export interface AttachOptions {
  idleTimeout?: number;
  limits?: Limits;
  onLost?: (reason: Error) => void;
}

/**
 * One event loop's worth of network and timer dispatch. Node already runs
 * libuv's loop, so a reactor never "blocks" in `run()`: `run()` keeps the
 * process alive and resolves when `stop()` finished; ports, connections and
 * delayed calls work before `run()` too. Several reactors may coexist (one
 * per test); `reactor` is the default one.
 */
export class Reactor implements ReactorTime, TransportHost, UDPPortHost {
  /** The bounds every transport of this reactor enforces. */
  readonly limits: Limits;
  readonly #onError: (error: unknown) => void;
  readonly #ports = new Set<ListeningPort>();
  readonly #udpPorts = new Set<UDPPort>();
  readonly #connectors = new Set<Connector>();
  readonly #transports = new Map<TCPTransport, ((reason: Error) => void) | undefined>();
  readonly #timers = new Map<DelayedCall, NodeJS.Timeout>();
  readonly #scheduler: DelayedCallScheduler;
  #allLost: (() => void) | undefined;
  #running = false;
  #keepAlive: NodeJS.Timeout | undefined;
  #run: Promise<void> | undefined;
  #resolveRun: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  /** Where every connection of this reactor reads into; each read is copied out at once. */
  readonly #readBuffer = new Uint8Array(READ_BUFFER_SIZE);
  /** See `STREAM_KIND`. */
  [STREAM_KIND]: 'handle' | 'socket' = 'handle';

  constructor(options: ReactorOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.#onError =
      options.onError ??
      ((error) => {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`unhandled error in reactor: ${detail}`);
      });
    this.#scheduler = {
      seconds: () => this.seconds(),
      cancelled: (call) => this.#unschedule(call),
      rescheduled: (call) => {
        this.#unschedule(call);
        this.#schedule(call);
      },
    };
  }

  /** True between `run()` and the end of `stop()`. */
  get running(): boolean {
    return this.#running;
  }

  /** Monotonic seconds (`performance.now()`), the clock `callLater` uses. */
  seconds(): number {
    return performance.now() / 1000;
  }

  /** Runs `fn(...args)` in `seconds`; errors it throws go to `onError`. */
  callLater<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => void,
    ...args: A
  ): DelayedCall {
    const call = new DelayedCall(this.seconds() + seconds, () => fn(...args), this.#scheduler);
    this.#schedule(call);
    return call;
  }

  /** The delayed calls still pending. */
  getDelayedCalls(): DelayedCall[] {
    return [...this.#timers.keys()];
  }

  /**
   * Listens on `port` (0: any free one) and builds a protocol from `factory`
   * for each connection. Binding completes asynchronously: await
   * `port.listening` for the address (it rejects if the bind fails).
   */
  listenTCP(port: number, factory: Factory, options: ListenTCPOptions = {}): ListeningPort {
    const endpoint = { kind: 'tcp', host: options.host ?? DEFAULT_HOST, port } as const;
    return this.#listen(endpoint, factory, options.backlog);
  }

  /**
   * Twisted's `listenUNIX`: listens on the Unix socket file `path`. `mode`
   * is the file's mode; `wantPID` (Twisted's name) guards the file with a
   * `PATH.lock` holding this process's pid, so a stale file left by a dead
   * server is replaced, and a live one refused. The file is removed when
   * the port stops listening.
   */
  listenUNIX(path: string, factory: Factory, options: ListenUNIXOptions = {}): ListeningPort {
    const endpoint = {
      kind: 'unix',
      path,
      lockfile: options.wantPID ?? false,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
    } as const;
    return this.#listen(endpoint, factory, options.backlog);
  }

  /**
   * Twisted's `listenUDP(port, protocol)`: binds a UDP socket on `port` (0:
   * any free one; `options.host` the interface) or on an endpoint
   * (`udp:8009:interface=::1`, parsed or not), and hands every datagram to
   * `protocol.datagramReceived(data, addr)`. Await `port.listening` for the address.
   */
  listenUDP(
    port: number | string | UdpEndpoint,
    protocol: DatagramProtocol,
    options: ListenUDPOptions = {},
  ): UDPPort {
    const endpoint =
      typeof port === 'number'
        ? ({ kind: 'udp', host: options.host ?? DEFAULT_HOST, port } as const)
        : resolveDatagramEndpoint({ listen: port });
    const udp = new UDPPort(
      this,
      endpoint,
      protocol,
      options.maxPacketSize ?? this.limits.maxPacketSize,
    );
    this.#udpPorts.add(udp);
    void udp.listening.catch(() => this.#udpPorts.delete(udp));
    return udp;
  }

  #listen(endpoint: ServerEndpoint, factory: Factory, backlog = DEFAULT_BACKLOG): ListeningPort {
    // pauseOnConnect: nothing reads an accepted socket before its transport
    // takes the connection out of it.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const listening = new ListeningPort(this, server, factory, { endpoint, backlog });
    this.#ports.add(listening);
    void listening.listening.catch(() => this.#ports.delete(listening));
    return listening;
  }

  /** Connects to `host:port`; the factory hears of success, failure and loss. */
  connectTCP(
    host: string,
    port: number,
    factory: ClientFactory,
    options: ConnectTCPOptions = {},
  ): Connector {
    return this.#connect({ kind: 'tcp', host, port }, factory, options);
  }

  /** Twisted's `connectUNIX`: connects to the Unix socket file `path`. */
  connectUNIX(path: string, factory: ClientFactory, options: ConnectUNIXOptions = {}): Connector {
    return this.#connect({ kind: 'unix', path }, factory, options);
  }

  #connect(
    destination: ConnectDestination,
    factory: ClientFactory,
    options: ConnectTCPOptions,
  ): Connector {
    const connector = new Connector(this, destination, factory, options);
    this.#connectors.add(connector);
    connector.connect();
    return connector;
  }

  /**
   * Takes over an already-connected socket (Twisted's
   * `adoptStreamConnection`): builds a protocol from `factory` and starts it.
   * Returns the protocol, or `undefined` if the factory refused (the socket
   * is then destroyed). A socket nothing has read or written yet is taken
   * down to its libuv handle; one already in use keeps running over its
   * public API.
   */
  adoptStreamConnection(socket: net.Socket, factory: Factory): Protocol | undefined {
    let protocol: Protocol | undefined;
    try {
      protocol = factory.buildProtocol(socketAddresses(socket).remote);
    } catch (error) {
      this.logError(error);
    }
    if (!protocol) {
      socket.destroy();
      return undefined;
    }
    // fd decides: a fresh socket goes to its handle, a used one stays on its API.
    this[ATTACH](socket, protocol).start();
    return protocol;
  }

  /** Keeps the process alive until `stop()`; resolves when `stop()` is done. */
  run(): Promise<void> {
    if (!this.#run) {
      this.#running = true;
      // libuv's loop is already running; this handle only keeps it from exiting.
      this.#keepAlive = setInterval(() => {}, 2 ** 31 - 1);
      this.#run = new Promise((resolve) => {
        this.#resolveRun = resolve;
      });
    }
    return this.#run;
  }

  /**
   * Stops every listening port, cancels pending delayed calls and pending
   * connection attempts, and closes every connection (flush, FIN; reset after
   * `limits.lingerTimeout`). Resolves when all of it is done; `run()` resolves too.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  /**
   * Internal: attaches `protocol` to a connected socket through a new
   * transport, which takes the connection out of the socket at once.
   */
  [ATTACH](
    socket: net.Socket | AcceptedHandle,
    protocol: Protocol,
    options: AttachOptions = {},
  ): TCPTransport {
    const transport = new TCPTransport(socket, protocol, this, {
      limits: options.limits ?? this.limits,
      idleTimeout: options.idleTimeout,
      readBuffer: this.#readBuffer,
      stream: this[STREAM_KIND],
    });
    this.#transports.set(transport, options.onLost);
    return transport;
  }

  /** Internal: a port stopped listening. */
  portStopped(port: ListeningPort): void {
    this.#ports.delete(port);
  }

  /** Internal: a UDP port stopped listening. */
  udpPortStopped(port: UDPPort): void {
    this.#udpPorts.delete(port);
  }

  /** Internal: a connector will not connect again on its own. */
  connectorDone(connector: Connector): void {
    this.#connectors.delete(connector);
  }

  /** Internal: a connector started connecting again. */
  connectorStarted(connector: Connector): void {
    this.#connectors.add(connector);
  }

  /** Reports an error a protocol or a delayed call threw. */
  logError(error: unknown): void {
    try {
      this.#onError(error);
    } catch {
      // a throwing error sink must not take the reactor down
    }
  }

  /** Internal (TransportHost): a connection is gone. */
  transportLost(transport: TCPTransport, reason: Error): void {
    const onLost = this.#transports.get(transport);
    this.#transports.delete(transport);
    if (onLost) {
      try {
        onLost(reason);
      } catch (error) {
        this.logError(error);
      }
    }
    if (this.#transports.size === 0) this.#allLost?.();
  }

  async #stop(): Promise<void> {
    const stopped = [...this.#ports, ...this.#udpPorts].map((port) => port.stopListening());
    for (const connector of [...this.#connectors]) connector.stopConnecting();
    for (const call of [...this.#timers.keys()]) call.cancel();
    for (const transport of this.#transports.keys()) transport.loseConnection();
    if (this.#transports.size > 0) {
      const lost = new Promise<void>((resolve) => {
        this.#allLost = resolve;
      });
      const timer = setTimeout(() => {
        for (const transport of this.#transports.keys()) transport.abortConnection();
      }, this.limits.lingerTimeout);
      await lost;
      clearTimeout(timer);
      this.#allLost = undefined;
    }
    await Promise.all(stopped);
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
    this.#running = false;
    this.#run = undefined;
    this.#resolveRun?.();
    this.#resolveRun = undefined;
  }

  #schedule(call: DelayedCall): void {
    const ms = Math.max(0, (call.getTime() - this.seconds()) * 1000);
    const timer = setTimeout(() => {
      this.#timers.delete(call);
      try {
        call[RUN_CALL]();
      } catch (error) {
        this.logError(error);
      }
    }, ms);
    this.#timers.set(call, timer);
  }

  #unschedule(call: DelayedCall): void {
    const timer = this.#timers.get(call);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(call);
  }
}

/** The default reactor, as Twisted's `from twisted.internet import reactor`. */
export const reactor = new Reactor();
