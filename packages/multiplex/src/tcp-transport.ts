// The transport over one connection, driven through an fd `ByteStream`:
// straight on the libuv handle where this Node has the internals (reads into
// the reactor's shared buffer, writes that say whether they completed at
// once), over the public net.Socket API otherwise — one code path, the
// ByteStream interface only. Hot path: stream read → protocol.dataReceived →
// write → stream.write, with no promise, no timer work and one allocation of
// ours (the copy the protocol may keep); bookkeeping runs only once the
// output backs up.
import type net from 'node:net';
import {
  type Address,
  DEFAULT_LIMITS,
  type IdleTimeoutError,
  IdleWatch,
  type Limits,
  SendStallWatch,
  toConnectionError,
} from '@iomodels/contract';
import {
  type AcceptedHandle,
  type ByteStream,
  type ByteStreamListener,
  byteStreamOf,
} from '@iomodels/fd';
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
 * @deprecated The linger after our FIN is the contract's `Limits.lingerTimeout`
 * (the transport's `limits`); this is its default, kept for compatibility.
 */
export const LOSE_CONNECTION_LINGER_MS: number = DEFAULT_LIMITS.lingerTimeout;

/** Size of the read buffer a transport reads into when its owner gives none. */
export const READ_BUFFER_SIZE = 64 * 1024;

/** What a transport reports to whoever owns it (a reactor). */
export interface TransportHost {
  /** An error a protocol callback threw. */
  logError(error: unknown): void;
  /** The connection is gone; called once, after the protocol's `connectionLost`. */
  transportLost(transport: TCPTransport, reason: Error): void;
}

/**
 * A protocol that wants to hear of the idle timeout before its connection
 * closes (the portable handler's `recv` must reject with the error at once).
 */
export interface IdleAwareProtocol {
  idleTimedOut(error: IdleTimeoutError): void;
}

/** Per-connection settings. */
export interface TCPTransportOptions {
  /** Output bounds and `lingerTimeout`; default the contract's `DEFAULT_LIMITS`. */
  limits?: Limits;
  /**
   * The contract's idle rule: after this many ms with nothing received and
   * nothing sent, the connection is closed (flush, FIN, linger, RST) and
   * `connectionLost` gets an `IdleTimeoutError`; 0/undefined = never.
   */
  idleTimeout?: number;
  /**
   * Where reads land. Shared by every transport of a reactor: a read is
   * copied out before `dataReceived`, so the next one may reuse it. Default:
   * one module-wide buffer of `READ_BUFFER_SIZE` bytes.
   */
  readBuffer?: Uint8Array;
  /** `socket` forces the public-API stream (tests); default `handle` where supported. */
  stream?: 'handle' | 'socket';
}

let sharedReadBuffer: Uint8Array | undefined;

/** The read buffer of transports whose owner gave none, made on first use. */
function defaultReadBuffer(): Uint8Array {
  sharedReadBuffer ??= new Uint8Array(READ_BUFFER_SIZE);
  return sharedReadBuffer;
}

// Assigned in TCPTransport's static block, where its private methods are in scope.
let deliver: (transport: TCPTransport, buffer: Uint8Array, length: number) => void;
let ended: (transport: TCPTransport) => void;
let drained: (transport: TCPTransport) => void;
let failed: (transport: TCPTransport, error: Error) => void;
let askPull: (transport: TCPTransport) => void;

/**
 * What the ByteStream calls back: one small object per connection that
 * forwards to its transport, so the stream's events stay off the public
 * TCPTransport surface.
 */
class StreamEvents implements ByteStreamListener {
  readonly transport: TCPTransport;

  constructor(transport: TCPTransport) {
    this.transport = transport;
  }

  onData(buffer: Uint8Array, length: number): undefined {
    deliver(this.transport, buffer, length);
    return undefined;
  }

  onEnd(): void {
    ended(this.transport);
  }

  onDrain(): void {
    drained(this.transport);
  }

  onError(error: Error): void {
    failed(this.transport, error);
  }
}

// State bits, one field instead of sixteen booleans (this object exists per connection).
const HALF_CLOSEABLE = 1 << 0;
const DISCONNECTING = 1 << 1;
/** `shutdown` was asked: our FIN is queued behind the output. */
const WRITE_CLOSED = 1 << 2;
/** Our FIN went out. */
const WRITE_SHUT = 1 << 3;
const READ_ENDED = 1 << 4;
/** `close`/`reset` was called on the stream; LOST follows when it completes. */
const CLOSING = 1 << 5;
const LOST = 1 << 6;
/** A write did not complete at once; cleared when the stream drained. */
const BACKED_UP = 1 << 7;
const USER_PAUSED = 1 << 8;
const CAP_PAUSED = 1 << 9;
const READING_PAUSED = 1 << 10;
const STREAMING = 1 << 11;
const PRODUCER_PAUSED = 1 << 12;
/** A pull producer wrote and waits to be asked for more. */
const PULL_WAITING = 1 << 13;
/** An ask of the pull producer is scheduled (its writes all went at once). */
const PULL_ASKED = 1 << 14;
const CLOSE_AFTER_PRODUCER = 1 << 15;
/** Nothing more may be written. */
const NO_WRITES = WRITE_CLOSED | CLOSING | LOST;
/** The connection is going or gone. */
const ENDING = CLOSING | LOST;

// The two ordinary `connectionLost` reasons, made once and shared, as
// Twisted's `main.CONNECTION_DONE` / `CONNECTION_LOST` are: building an
// Error (its stack trace) per closed connection was ~3 % of a short
// connection's cost, and the reason carries nothing of the connection.
const CONNECTION_DONE = new ConnectionDone('connection was closed cleanly');
const CONNECTION_LOST = new ConnectionLost('connection was lost');

/**
 * A `Transport` over a connected socket. Output is bounded, unlike Twisted's:
 * past `PRODUCER_HIGH_WATER` a push producer is paused; past `maxUnsentBytes`
 * the transport also stops reading (so a protocol that writes in response to
 * input is throttled by TCP); output that makes no progress for
 * `sendStallTimeout` aborts the connection (`SendStalledError`); a write while
 * more than twice `maxUnsentBytes` is unsent aborts it (`WriteBufferFullError`).
 */
export class TCPTransport implements Transport {
  readonly #stream: ByteStream;
  readonly #protocol: Protocol;
  readonly #host: TransportHost;
  readonly #limits: Limits;
  #flags = 0;
  #local: Address | undefined;
  #reason: Error | undefined;
  #producer: Producer | null = null;
  readonly #idle: IdleWatch | undefined;
  #lingerTimer: NodeJS.Timeout | undefined;
  /** Made when output first backs up; most connections never need one. */
  #stall: SendStallWatch | undefined;

  /**
   * Takes the connection out of `socket` — accepted with `pauseOnConnect`,
   * or a client socket in its 'connect' event, never read — and drives it
   * through a ByteStream from then on (reading starts at once; call
   * `start()` before the loop turns). On Node runtimes without the handle
   * internals, and for `stream: 'socket'`, the socket stays and the stream
   * goes through its public API.
   */
  constructor(
    socket: net.Socket | AcceptedHandle,
    protocol: Protocol,
    host: TransportHost,
    options: TCPTransportOptions = {},
  ) {
    this.#protocol = protocol;
    this.#host = host;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    if (isHalfCloseable(protocol)) this.#flags = HALF_CLOSEABLE;
    const buffer = options.readBuffer ?? defaultReadBuffer();
    this.#stream = byteStreamOf(socket, new StreamEvents(this), buffer, options.stream);
    // Connections without an idle timeout do no timer work at all.
    this.#idle = IdleWatch.start(options.idleTimeout, (error) => this.#onIdle(error));
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
    return (this.#flags & DISCONNECTING) !== 0;
  }

  /** The protocol this transport drives. */
  get protocol(): Protocol {
    return this.#protocol;
  }

  /**
   * The byte stream under this transport (Twisted's `getHandle()`): `kind`
   * says whether it runs straight on the libuv handle or over a
   * `net.Socket`. For inspection and socket options; reading or writing it
   * directly bypasses the transport's bookkeeping.
   */
  getHandle(): ByteStream {
    return this.#stream;
  }

  getPeer(): Address {
    return this.#stream.remote();
  }

  /** This end's address: a getsockname(2) on first call, kept from then on (unknown once closed). */
  getHost(): Address {
    if (this.#local === undefined) {
      const local = this.#stream.local();
      if (this.#stream.closed) return local;
      this.#local = local;
    }
    return this.#local;
  }

  /** TCP_NODELAY on or off (Twisted's `setTcpNoDelay`). */
  setTcpNoDelay(enabled: boolean): void {
    this.#stream.setNoDelay(enabled);
  }

  /** SO_KEEPALIVE on or off (Twisted's `setTcpKeepAlive`). */
  setTcpKeepAlive(enabled: boolean): void {
    this.#stream.setKeepAlive(enabled);
  }

  write(data: Uint8Array | string): void {
    const flags = this.#flags;
    if (flags & NO_WRITES) return;
    const stream = this.#stream;
    if (flags & BACKED_UP && stream.pendingBytes > 2 * this.#limits.maxUnsentBytes) {
      this.#overflow();
      return;
    }
    const stall = this.#stall;
    let atOnce: boolean;
    if (typeof data === 'string') {
      if (data.length === 0) return;
      if (stall?.armed) stall.queued(Buffer.byteLength(data));
      atOnce = stream.writeString(data);
    } else {
      if (data.byteLength === 0) return;
      if (stall?.armed) stall.queued(data.byteLength);
      atOnce = stream.write(data);
    }
    this.#idle?.touch();
    if (!atOnce) this.#onBackedUp();
    if (this.#producer !== null && !(flags & STREAMING)) this.#pullWrote(atOnce);
  }

  /** Writes every item as one batch: a single write to the stream. */
  writeSequence(data: Iterable<Uint8Array | string>): void {
    const items: Uint8Array[] = [];
    for (const item of data) items.push(typeof item === 'string' ? Buffer.from(item) : item);
    if (items.length === 1) this.write(items[0] as Uint8Array);
    else if (items.length > 1) this.write(Buffer.concat(items));
  }

  loseConnection(): void {
    if (this.#flags & (DISCONNECTING | ENDING)) return;
    this.#flags |= DISCONNECTING;
    if (this.#producer !== null && (this.#flags & (STREAMING | PRODUCER_PAUSED)) !== STREAMING) {
      // As in Twisted: a pull producer, or a paused push producer, finishes first.
      this.#flags |= CLOSE_AFTER_PRODUCER;
      return;
    }
    this.#endWrite();
  }

  loseWriteConnection(): void {
    if (this.#flags & ENDING) return;
    this.#endWrite();
  }

  abortConnection(): void {
    if (this.#flags & ENDING) return;
    this.#flags |= DISCONNECTING | CLOSING;
    this.#reason ??= new ConnectionAborted('connection was aborted');
    this.#stream.reset(() => this.#onClose());
  }

  registerProducer(producer: Producer, streaming: boolean): void {
    if (this.#producer !== null) {
      throw new Error('a producer is already registered; unregister it first');
    }
    this.#producer = producer;
    this.#flags &= ~(STREAMING | PRODUCER_PAUSED | PULL_WAITING);
    if (streaming) this.#flags |= STREAMING;
    if (this.#flags & LOST) {
      producer.stopProducing();
      return;
    }
    if (!streaming) {
      producer.resumeProducing();
    } else if (this.#flags & BACKED_UP && this.#stream.pendingBytes >= this.#producerHighWater()) {
      this.#pauseProducer();
    }
  }

  unregisterProducer(): void {
    this.#producer = null;
    this.#flags &= ~PULL_WAITING;
    if (this.#flags & CLOSE_AFTER_PRODUCER) {
      this.#flags &= ~CLOSE_AFTER_PRODUCER;
      this.#endWrite();
    }
  }

  /** Stops reading from the peer until `resumeProducing()`. */
  pauseProducing(): void {
    this.#flags |= USER_PAUSED;
    this.#updateReading();
  }

  /** Resumes reading from the peer. */
  resumeProducing(): void {
    this.#flags &= ~USER_PAUSED;
    this.#updateReading();
  }

  /** Twisted: a transport asked to stop producing loses its connection. */
  stopProducing(): void {
    this.loseConnection();
  }

  static {
    deliver = (transport, buffer, length) => transport.#onData(buffer, length);
    ended = (transport) => transport.#onEnd();
    drained = (transport) => transport.#onDrain();
    failed = (transport, error) => transport.#onError(error);
    askPull = (transport) => {
      transport.#flags &= ~PULL_ASKED;
      transport.#pullFlushed();
    };
  }

  #onData(buffer: Uint8Array, length: number): void {
    this.#idle?.touch();
    if (this.#flags & DISCONNECTING) return; // closing: drain the peer, deliver nothing
    // The read buffer is reused by the next read: the protocol gets a copy
    // it may keep (small ones come from Node's shared pool).
    const data = Buffer.allocUnsafe(length);
    data.set(length === buffer.length ? buffer : buffer.subarray(0, length));
    try {
      this.#protocol.dataReceived(data);
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  /** The peer sent FIN. */
  #onEnd(): void {
    this.#flags |= READ_ENDED;
    if (this.#flags & ENDING) return;
    if (!(this.#flags & DISCONNECTING)) {
      if (this.#flags & HALF_CLOSEABLE) {
        try {
          (this.#protocol as unknown as { readConnectionLost(): void }).readConnectionLost();
        } catch (error) {
          this.#protocolFailed(error);
        }
      } else {
        // Not half-closeable: the peer's FIN ends the connection, after our output.
        this.loseConnection();
      }
    }
    if (this.#flags & WRITE_SHUT) this.#finOut();
  }

  /** Our FIN went out (or failed to). */
  #onShutdown(error: Error | null): void {
    if (this.#flags & ENDING) return;
    if (error !== null) {
      this.#onError(error);
      return;
    }
    this.#flags |= WRITE_SHUT;
    this.#stall?.stop();
    if ((this.#flags & (DISCONNECTING | HALF_CLOSEABLE)) === HALF_CLOSEABLE) {
      try {
        (this.#protocol as unknown as { writeConnectionLost(): void }).writeConnectionLost();
      } catch (error) {
        this.#protocolFailed(error);
      }
    }
    this.#finOut();
  }

  /** Our FIN is out: close once the peer's came too, or, when closing, after the linger. */
  #finOut(): void {
    const flags = this.#flags;
    if (flags & ENDING) return;
    if (flags & READ_ENDED) {
      this.#close();
    } else if (flags & DISCONNECTING && this.#lingerTimer === undefined) {
      this.#lingerTimer = setTimeout(() => this.#close(), this.#limits.lingerTimeout);
      this.#lingerTimer.unref();
    }
  }

  #onError(error: Error): void {
    this.#reason ??= toConnectionError(error);
    this.#close();
  }

  /** Closes the stream; `#onClose` follows once the descriptor is closed. */
  #close(): void {
    if (this.#flags & ENDING) return;
    this.#flags |= CLOSING;
    this.#stream.close(() => this.#onClose());
  }

  #onClose(): void {
    const flags = this.#flags;
    if (flags & LOST) return;
    this.#flags |= LOST;
    this.#stall?.stop();
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer);
    this.#idle?.stop();
    const reason =
      this.#reason ??
      // Clean: both sides ended, or we closed (flush, FIN) and let go after the linger.
      (flags & WRITE_CLOSED && flags & (READ_ENDED | DISCONNECTING)
        ? CONNECTION_DONE
        : CONNECTION_LOST);
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

  /**
   * Idle (the contract's rule): the protocol hears it first if it asks to,
   * then the connection closes (flush, FIN, linger) without waiting for a
   * producer, and `connectionLost` gets the error; already closing: let go.
   */
  #onIdle(error: IdleTimeoutError): void {
    if (this.#flags & ENDING) return;
    this.#reason ??= error;
    const protocol = this.#protocol as Partial<IdleAwareProtocol>;
    if (typeof protocol.idleTimedOut === 'function') {
      try {
        protocol.idleTimedOut(error);
      } catch (thrown) {
        this.#host.logError(thrown);
      }
    }
    if (this.#flags & DISCONNECTING) {
      this.#close();
      return;
    }
    this.#flags |= DISCONNECTING;
    this.#endWrite();
  }

  #endWrite(): void {
    // Closing: keep reading (and discarding) so the peer's FIN is seen.
    if (this.#flags & DISCONNECTING) this.#updateReading();
    if (this.#flags & WRITE_CLOSED) {
      // FIN asked before (half-close); if it is out already, closing goes on from here.
      if (this.#flags & WRITE_SHUT) this.#finOut();
      return;
    }
    this.#flags |= WRITE_CLOSED;
    const closingAfterPeer = DISCONNECTING | READ_ENDED;
    if ((this.#flags & closingAfterPeer) === closingAfterPeer && this.#stream.pendingBytes === 0) {
      // The common end of a short connection: the peer's FIN is in (so the
      // kernel holds nothing unread) and nothing waits to be sent, so close(2)
      // sends our FIN itself — no shutdown request, no loop turn waiting for it.
      this.#flags |= WRITE_SHUT;
      this.#close();
      return;
    }
    this.#stream.shutdown((error) => this.#onShutdown(error));
  }

  #producerHighWater(): number {
    return Math.min(PRODUCER_HIGH_WATER, this.#limits.maxUnsentBytes);
  }

  /** A write did not complete at once: apply our bounds to what is pending. */
  #onBackedUp(): void {
    this.#flags |= BACKED_UP;
    const unsent = this.#stream.pendingBytes;
    if (unsent >= this.#producerHighWater()) {
      if (this.#producer !== null && this.#flags & STREAMING) this.#pauseProducer();
      this.#stallWatch().arm();
    }
    if (unsent >= this.#limits.maxUnsentBytes && !(this.#flags & CAP_PAUSED)) {
      this.#flags |= CAP_PAUSED;
      this.#updateReading();
    }
  }

  /** Every queued write completed. */
  #onDrain(): void {
    if (this.#flags & ENDING) return;
    this.#flags &= ~BACKED_UP;
    this.#stall?.stop();
    this.#idle?.touch();
    if (this.#flags & CAP_PAUSED) {
      this.#flags &= ~CAP_PAUSED;
      this.#updateReading();
    }
    if (this.#flags & PRODUCER_PAUSED && this.#producer !== null) {
      this.#flags &= ~PRODUCER_PAUSED;
      try {
        (this.#producer as PushProducer).resumeProducing();
      } catch (error) {
        this.#protocolFailed(error);
      }
    }
    this.#pullFlushed();
  }

  #pauseProducer(): void {
    if (this.#flags & PRODUCER_PAUSED) return;
    this.#flags |= PRODUCER_PAUSED;
    try {
      (this.#producer as PushProducer).pauseProducing();
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  /**
   * A pull producer wrote. If all of it went at once, it is asked for more
   * on the next turn of the loop; a queued write asks once the stream drained.
   */
  #pullWrote(atOnce: boolean): void {
    this.#flags |= PULL_WAITING;
    if (atOnce && !(this.#flags & PULL_ASKED)) {
      this.#flags |= PULL_ASKED;
      setImmediate(askPull, this);
    }
  }

  /** A pull producer's writes are out: ask for more, once the output is empty. */
  #pullFlushed(): void {
    const producer = this.#producer;
    if (producer === null || (this.#flags & (PULL_WAITING | STREAMING | ENDING)) !== PULL_WAITING) {
      return;
    }
    if (this.#stream.pendingBytes > 0) return; // the drain will ask
    this.#flags &= ~PULL_WAITING;
    try {
      producer.resumeProducing();
    } catch (error) {
      this.#protocolFailed(error);
    }
  }

  #updateReading(): void {
    const flags = this.#flags;
    const pause = !(flags & DISCONNECTING) && (flags & (USER_PAUSED | CAP_PAUSED)) !== 0;
    if (pause === ((flags & READING_PAUSED) !== 0)) return;
    if (pause) {
      this.#flags |= READING_PAUSED;
      this.#stream.readStop();
    } else {
      this.#flags &= ~READING_PAUSED;
      this.#stream.readStart();
    }
  }

  #stallWatch(): SendStallWatch {
    this.#stall ??= new SendStallWatch(
      this.#limits.sendStallTimeout,
      () => this.#stream.pendingBytes,
      (error) => {
        this.#reason ??= error;
        this.abortConnection();
      },
    );
    return this.#stall;
  }

  #overflow(): void {
    this.#reason ??= new WriteBufferFullError(
      `protocol kept writing with ${this.#stream.pendingBytes} bytes unsent (cap ${this.#limits.maxUnsentBytes}); connection aborted`,
    );
    this.abortConnection();
  }

  #protocolFailed(error: unknown): void {
    this.#host.logError(error);
    if (this.#flags & ENDING) return;
    this.#reason ??= error instanceof Error ? error : new Error(String(error));
    this.abortConnection();
  }
}
