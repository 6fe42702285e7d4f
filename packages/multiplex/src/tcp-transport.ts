// The transport over one connected `net.Socket` — public `net` API only.
// Hot path: 'data' → protocol.dataReceived → write → socket.write, with no
// promise and no allocation of ours; bookkeeping runs only once the output
// backs up.
import type net from 'node:net';
import {
  type Address,
  DEFAULT_LIMITS,
  type Limits,
  peerError,
  SendStalledError,
  toAddress,
} from '@iomodels/contract';
import {
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  WriteBufferFullError,
} from './errors.js';
import type { Producer, PushProducer } from './producer.js';
import { isHalfCloseable, type Protocol } from './protocol.js';
import type { Transport } from './transport.js';

/**
 * Unsent output at which a registered push producer is paused: Twisted's
 * `bufferSize` (64 KiB), or `maxUnsentBytes` if that is smaller.
 */
export const PRODUCER_HIGH_WATER = 64 * 1024;

/**
 * After our FIN went out on `loseConnection`, how long the peer gets to
 * close its side before the socket is destroyed. Long enough for a live peer
 * to read our last bytes; a peer that ignores FIN costs this much, no more.
 */
export const LOSE_CONNECTION_LINGER_MS = 2_000;

/** What a transport reports to whoever owns it (a reactor). */
export interface TransportHost {
  /** An error a protocol callback threw. */
  logError(error: unknown): void;
  /** The connection is gone; called once, after the protocol's `connectionLost`. */
  transportLost(transport: TCPTransport, reason: Error): void;
}

/** Per-connection settings. */
export interface TCPTransportOptions {
  /** Output bounds; default the contract's `DEFAULT_LIMITS`. */
  limits?: Limits;
  /** Close the connection after this many ms without reads or writes; 0/undefined = never. */
  idleTimeout?: number;
}

/** The socket's back-pointer to its transport, read by the shared listeners. */
const TRANSPORT = Symbol('transport');
type OwnedSocket = net.Socket & { [TRANSPORT]: TCPTransport };
type SocketListener = (this: OwnedSocket) => void;
// Assigned in TCPTransport's static block, where the private methods are in scope.
let onSocketData: (this: OwnedSocket, chunk: Buffer) => void;
let onSocketEnd: SocketListener;
let onSocketFinish: SocketListener;
let onSocketDrain: SocketListener;
let onSocketError: (this: OwnedSocket, error: Error) => void;
let onSocketClose: SocketListener;
let onSocketTimeout: SocketListener;

/**
 * A `Transport` over a connected socket. Output is bounded, unlike Twisted's:
 * past `PRODUCER_HIGH_WATER` a push producer is paused; past `maxUnsentBytes`
 * the transport also stops reading (so a protocol that writes in response to
 * input is throttled by TCP); output that makes no progress for
 * `sendStallTimeout` aborts the connection (`SendStalledError`); a write while
 * more than twice `maxUnsentBytes` is unsent aborts it (`WriteBufferFullError`).
 */
export class TCPTransport implements Transport {
  readonly #socket: net.Socket;
  readonly #protocol: Protocol;
  readonly #host: TransportHost;
  readonly #limits: Limits;
  readonly #producerHighWater: number;
  readonly #halfCloseable: boolean;

  #disconnecting = false;
  #writeClosed = false;
  #readEnded = false;
  #lost = false;
  #reason: Error | undefined;

  /** Set when `socket.write` returned false; cleared on 'drain'. */
  #backedUp = false;
  #userPaused = false;
  #capPaused = false;
  #readingPaused = false;

  #producer: Producer | null = null;
  #streaming = false;
  #producerPaused = false;
  #pullWaiting = false;
  #closeAfterProducer = false;

  #stallTimer: NodeJS.Timeout | undefined;
  #lastFlushed = 0;
  #lastProgress = 0;
  #lingerTimer: NodeJS.Timeout | undefined;

  constructor(
    socket: net.Socket,
    protocol: Protocol,
    host: TransportHost,
    options: TCPTransportOptions = {},
  ) {
    this.#socket = socket;
    this.#protocol = protocol;
    this.#host = host;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    this.#producerHighWater = Math.min(PRODUCER_HIGH_WATER, this.#limits.maxUnsentBytes);
    this.#halfCloseable = isHalfCloseable(protocol);
    // The peer's FIN must not end our side behind the protocol's back: we
    // decide (half-close opt-in, or flush-then-close).
    socket.allowHalfOpen = true;
    // One shared listener per event for every socket: the listener finds its
    // transport through a back-pointer on the socket (`this` is the emitter),
    // so a connection costs no closures here.
    (socket as OwnedSocket)[TRANSPORT] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('finish', onSocketFinish);
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    socket.on('close', onSocketClose);
    if (options.idleTimeout) {
      socket.setTimeout(options.idleTimeout);
      socket.on('timeout', onSocketTimeout);
    }
  }

  /** Starts the protocol: `makeConnection(this)`. */
  start(): void {
    try {
      this.#protocol.makeConnection(this);
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  get disconnecting(): boolean {
    return this.#disconnecting;
  }

  /** The protocol this transport drives. */
  get protocol(): Protocol {
    return this.#protocol;
  }

  /** The underlying socket (Twisted's `getHandle()`); for socket options only. */
  getHandle(): net.Socket {
    return this.#socket;
  }

  getPeer(): Address {
    const s = this.#socket;
    return toAddress(s.remoteAddress, s.remotePort, s.remoteFamily);
  }

  getHost(): Address {
    const s = this.#socket;
    return toAddress(s.localAddress, s.localPort, s.localFamily);
  }

  /** TCP_NODELAY on or off (Twisted's `setTcpNoDelay`). */
  setTcpNoDelay(enabled: boolean): void {
    this.#socket.setNoDelay(enabled);
  }

  /** SO_KEEPALIVE on or off (Twisted's `setTcpKeepAlive`). */
  setTcpKeepAlive(enabled: boolean): void {
    this.#socket.setKeepAlive(enabled);
  }

  write(data: Uint8Array | string): void {
    if (this.#writeClosed || this.#lost) return;
    const socket = this.#socket;
    if (this.#backedUp && socket.writableLength > 2 * this.#limits.maxUnsentBytes) {
      this.#overflow();
      return;
    }
    let written: boolean;
    if (this.#producer !== null && !this.#streaming) {
      this.#pullWaiting = true;
      written = socket.write(data, () => this.#pullFlushed());
    } else {
      written = socket.write(data);
    }
    if (!written) this.#onBackedUp();
  }

  writeSequence(data: Iterable<Uint8Array | string>): void {
    this.#socket.cork();
    try {
      for (const item of data) this.write(item);
    } finally {
      this.#socket.uncork();
    }
  }

  loseConnection(): void {
    if (this.#disconnecting || this.#lost) return;
    this.#disconnecting = true;
    if (this.#producer !== null && (!this.#streaming || this.#producerPaused)) {
      // As in Twisted: a pull producer, or a paused push producer, finishes first.
      this.#closeAfterProducer = true;
      return;
    }
    this.#endWrite();
  }

  loseWriteConnection(): void {
    if (this.#lost) return;
    this.#endWrite();
  }

  abortConnection(): void {
    if (this.#lost) return;
    this.#disconnecting = true;
    this.#reason ??= new ConnectionAborted('connection was aborted');
    this.#socket.resetAndDestroy();
  }

  registerProducer(producer: Producer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new Error('a producer is already registered; unregister it first');
    }
    this.#producer = producer;
    this.#streaming = streaming;
    this.#producerPaused = false;
    if (this.#lost) {
      producer.stopProducing();
      return;
    }
    if (!streaming) {
      producer.resumeProducing();
    } else if (this.#backedUp && this.#socket.writableLength >= this.#producerHighWater) {
      this.#pauseProducer();
    }
  }

  unregisterProducer(): void {
    this.#producer = null;
    this.#pullWaiting = false;
    if (this.#closeAfterProducer) {
      this.#closeAfterProducer = false;
      this.#endWrite();
    }
  }

  /** Stops reading from the peer until `resumeProducing()`. */
  pauseProducing(): void {
    this.#userPaused = true;
    this.#updateReading();
  }

  /** Resumes reading from the peer. */
  resumeProducing(): void {
    this.#userPaused = false;
    this.#updateReading();
  }

  /** Twisted: a transport asked to stop producing loses its connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  static {
    onSocketData = function (this: OwnedSocket, chunk: Buffer) {
      this[TRANSPORT].#onData(chunk);
    };
    onSocketEnd = function (this: OwnedSocket) {
      this[TRANSPORT].#onEnd();
    };
    onSocketFinish = function (this: OwnedSocket) {
      this[TRANSPORT].#onFinish();
    };
    onSocketDrain = function (this: OwnedSocket) {
      this[TRANSPORT].#onDrain();
    };
    onSocketError = function (this: OwnedSocket, error: Error) {
      const transport = this[TRANSPORT];
      transport.#reason ??= peerError(error);
    };
    onSocketClose = function (this: OwnedSocket) {
      this[TRANSPORT].#onClose();
    };
    onSocketTimeout = function (this: OwnedSocket) {
      this[TRANSPORT].#onIdle();
    };
  }

  #onData(chunk: Buffer): void {
    if (this.#disconnecting) return; // closing: drain the peer, deliver nothing
    try {
      this.#protocol.dataReceived(chunk);
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  #onEnd(): void {
    this.#readEnded = true;
    if (this.#disconnecting) {
      // Our FIN is out or on its way; the socket closes once both sides ended.
      return;
    }
    if (this.#halfCloseable) {
      try {
        (this.#protocol as unknown as { readConnectionLost(): void }).readConnectionLost();
      } catch (error) {
        this.#protocolFailed(error);
      }
      return;
    }
    // Not half-closeable: the peer's FIN ends the connection, after our output.
    this.loseConnection();
  }

  #onFinish(): void {
    this.#stopStallWatch();
    if (!this.#disconnecting && this.#halfCloseable) {
      try {
        (this.#protocol as unknown as { writeConnectionLost(): void }).writeConnectionLost();
      } catch (error) {
        this.#protocolFailed(error);
      }
    }
    if (this.#disconnecting && !this.#readEnded && !this.#lost) {
      this.#lingerTimer = setTimeout(() => this.#socket.destroy(), LOSE_CONNECTION_LINGER_MS);
      this.#lingerTimer.unref();
    }
  }

  #onClose(): void {
    if (this.#lost) return;
    this.#lost = true;
    this.#stopStallWatch();
    if (this.#lingerTimer) clearTimeout(this.#lingerTimer);
    const reason =
      this.#reason ??
      // Clean: both sides ended, or we closed (flush, FIN) and let go after the linger.
      (this.#writeClosed && (this.#readEnded || this.#disconnecting)
        ? new ConnectionDone('connection was closed cleanly')
        : new ConnectionLost('connection was lost'));
    const producer = this.#producer;
    this.#producer = null;
    try {
      producer?.stopProducing();
    } catch (error) {
      this.#host.logError(error);
    }
    this.#protocol.connected = false;
    try {
      this.#protocol.connectionLost(reason);
    } catch (error) {
      this.#host.logError(error);
    }
    this.#host.transportLost(this, reason);
  }

  /** Idle: close (flush, FIN) without waiting for a producer; already closing: let go. */
  #onIdle(): void {
    if (this.#disconnecting) {
      this.#socket.destroy();
      return;
    }
    this.#disconnecting = true;
    this.#endWrite();
  }

  #endWrite(): void {
    if (this.#writeClosed) return;
    this.#writeClosed = true;
    // Closing: keep reading (and discarding) so the peer's FIN is seen.
    if (this.#disconnecting) this.#updateReading();
    this.#socket.end();
  }

  /** The output is at or above Node's high-water mark: apply our bounds. */
  #onBackedUp(): void {
    this.#backedUp = true;
    const unsent = this.#socket.writableLength;
    if (unsent >= this.#producerHighWater) {
      if (this.#producer !== null && this.#streaming) this.#pauseProducer();
      this.#startStallWatch();
    }
    if (unsent >= this.#limits.maxUnsentBytes && !this.#capPaused) {
      this.#capPaused = true;
      this.#updateReading();
    }
  }

  #onDrain(): void {
    this.#backedUp = false;
    this.#stopStallWatch();
    if (this.#capPaused) {
      this.#capPaused = false;
      this.#updateReading();
    }
    if (this.#producerPaused && this.#producer !== null) {
      this.#producerPaused = false;
      try {
        (this.#producer as PushProducer).resumeProducing();
      } catch (error) {
        this.#protocolFailed(error);
      }
    }
  }

  #pauseProducer(): void {
    if (this.#producerPaused) return;
    this.#producerPaused = true;
    try {
      (this.#producer as PushProducer).pauseProducing();
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  /** A write of a pull producer was flushed: ask for more once the output is empty. */
  #pullFlushed(): void {
    const producer = this.#producer;
    if (!this.#pullWaiting || producer === null || this.#streaming || this.#lost) return;
    if (this.#socket.writableLength > 0) return; // a later write's callback will ask
    this.#pullWaiting = false;
    try {
      producer.resumeProducing();
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  #updateReading(): void {
    const socket = this.#socket;
    const pause = !this.#disconnecting && (this.#userPaused || this.#capPaused);
    if (pause === this.#readingPaused) return;
    this.#readingPaused = pause;
    if (pause) socket.pause();
    else socket.resume();
  }

  #startStallWatch(): void {
    if (this.#stallTimer !== undefined) return;
    this.#lastFlushed = this.#flushed();
    this.#lastProgress = Date.now();
    const stall = this.#limits.sendStallTimeout;
    this.#stallTimer = setInterval(() => this.#checkStall(), Math.max(stall / 4, 1));
    this.#stallTimer.unref();
  }

  #checkStall(): void {
    const flushed = this.#flushed();
    const now = Date.now();
    if (flushed !== this.#lastFlushed || this.#socket.writableLength === 0) {
      this.#lastFlushed = flushed;
      this.#lastProgress = now;
      return;
    }
    if (now - this.#lastProgress >= this.#limits.sendStallTimeout) {
      this.#stopStallWatch();
      this.#reason ??= new SendStalledError(
        `peer read nothing of ${this.#socket.writableLength} unsent bytes for ${this.#limits.sendStallTimeout} ms`,
      );
      this.#socket.resetAndDestroy();
    }
  }

  #stopStallWatch(): void {
    if (this.#stallTimer === undefined) return;
    clearInterval(this.#stallTimer);
    this.#stallTimer = undefined;
  }

  /** Bytes handed to the kernel so far. */
  #flushed(): number {
    return this.#socket.bytesWritten - this.#socket.writableLength;
  }

  #overflow(): void {
    this.#reason ??= new WriteBufferFullError(
      `protocol kept writing with ${this.#socket.writableLength} bytes unsent (cap ${this.#limits.maxUnsentBytes}); connection aborted`,
    );
    this.abortConnection();
  }

  #protocolFailed(error: unknown): void {
    this.#host.logError(error);
    if (this.#lost) return;
    this.#reason ??= error instanceof Error ? error : new Error(String(error));
    this.abortConnection();
  }
}
