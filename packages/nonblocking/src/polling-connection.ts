// The portable Connection of the polling model. A handler's `recv` and
// `sendall` are tried once at once; what the kernel cannot do yet is parked
// here, and the server's sweep retries it — one read and one write per
// connection per sweep, so no connection gets more than its share.
import {
  type Address,
  type Connection,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  type IdleTimeoutError,
  IdleWatch,
  type Limits,
  ReadInProgressError,
  type Sendable,
  SendStallWatch,
  toBytes,
} from '@iomodels/contract';
import { type NonBlockingSocket, WOULD_BLOCK } from './non-blocking-socket.js';

const EMPTY = new Uint8Array(0);

/**
 * Most bytes one `write(2)` offers per turn. With reads capped at 64 KiB by
 * `recv`, this bounds what one connection moves per sweep, whatever the
 * kernel's buffers would take: a flooding client cannot starve a quiet one.
 */
const MAX_WRITE_PER_TURN = 64 * 1024;

/** Counters the sweep and the connections share; see `PollStats`. */
export interface PollCounters {
  sweeps: number;
  reads: number;
  writes: number;
  partialWrites: number;
  wouldBlock: number;
}

/** What a connection needs from its server. */
export interface PollingConnectionHooks {
  readonly limits: Limits;
  /** The contract's idle timeout (nothing received or sent for this many ms); 0 = never. */
  readonly idleTimeout: number;
  readonly counters: PollCounters;
  /** Something was parked (or changed): sweep soon. */
  wake(): void;
  /** The descriptor was released: drop the connection from the sweep. */
  released(connection: PollingConnection): void;
}

interface PendingRead {
  readonly maxBytes: number;
  readonly resolve: (data: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingWrite {
  readonly data: Uint8Array;
  offset: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface Linger {
  readonly deadline: number;
  readonly resolve: () => void;
}

/**
 * A `Connection` over a {@link NonBlockingSocket}, driven by a polling
 * server's sweep. Handlers see ordinary awaitable `recv`/`sendall`.
 */
export class PollingConnection implements Connection {
  readonly remote: Address;
  readonly #socket: NonBlockingSocket;
  readonly #hooks: PollingConnectionHooks;
  #read: PendingRead | undefined;
  #write: PendingWrite | undefined;
  readonly #idle: IdleWatch | undefined;
  /** Set by the idle verdict: every `recv` from then on rejects with it. */
  #idleError: IdleTimeoutError | undefined;
  /** Made when a write first has to wait; most connections never need one. */
  #stall: SendStallWatch | undefined;
  #linger: Linger | undefined;
  /** This sweep's read / write turn is spent (reset when a sweep reaches this connection). */
  #readTurnUsed = false;
  #writeTurnUsed = false;
  /** The peer's FIN arrived. */
  #readEnded = false;
  /** `recv` answers end of stream: the descriptor was released (our own reset, a stall). */
  #readClosed = false;
  #writeShut = false;
  #error: unknown;
  #released = false;
  #closing: Promise<void> | undefined;

  constructor(socket: NonBlockingSocket, hooks: PollingConnectionHooks) {
    this.#socket = socket;
    this.#hooks = hooks;
    this.remote = socket.remote;
    this.#idle = IdleWatch.start(hooks.idleTimeout, (error) => this.#onIdle(error));
  }

  /** This end's address, read when first asked (see `NonBlockingSocket.local`). */
  get local(): Address {
    return this.#socket.local;
  }

  /** Up to `maxBytes` bytes once any arrive; empty when the peer closed. */
  recv(maxBytes = DEFAULT_RECV_SIZE): Promise<Uint8Array> {
    if (this.#read) {
      // The contract's rule: the second recv fails at once, the pending one is unaffected.
      return Promise.reject(new ReadInProgressError());
    }
    if (this.#idleError !== undefined) return Promise.reject(this.#idleError);
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#readEnded || this.#readClosed || this.#released) return Promise.resolve(EMPTY);
    if (!(maxBytes >= 1)) {
      return Promise.reject(new RangeError(`recv: maxBytes must be >= 1, got ${maxBytes}`));
    }
    return new Promise((resolve, reject) => {
      this.#read = { maxBytes, resolve, reject };
      // Ask once now if this sweep's read turn is unspent; else the sweep asks.
      if (!this.#readTurnUsed) this.#tryRead();
      if (this.#read) this.#hooks.wake();
    });
  }

  /** Every byte into the kernel, or throws; waits (polled) while the peer's window is full. */
  sendall(data: Sendable): Promise<void> {
    if (this.#write)
      return Promise.reject(new Error('sendall() is already sending on this connection'));
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#writeShut || this.#released) {
      return Promise.reject(new ConnectionClosedError('connection is closed for writing'));
    }
    const bytes = toBytes(data);
    if (bytes.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#write = { data: bytes, offset: 0, resolve, reject };
      if (!this.#writeTurnUsed) this.#tryWrite();
      if (this.#write) {
        this.#stallWatch().arm();
        this.#hooks.wake();
      }
    });
  }

  /** Half-close: FIN after everything already handed to `sendall`; `recv` keeps working. */
  async shutdownWrite(): Promise<void> {
    await this.#flushed();
    this.#writeShut = true;
    if (!this.#released) this.#socket.shutdownWrite();
  }

  /**
   * Flush, FIN, then read and discard until the peer's FIN (at most
   * `limits.lingerTimeout` ms), then release the descriptor: releasing with
   * unread input would send RST at once, which can destroy a reply the peer
   * has not read yet. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** True while the sweep has something to retry for this connection. */
  get pending(): boolean {
    return (
      !this.#released &&
      (this.#read !== undefined || this.#write !== undefined || this.#linger !== undefined)
    );
  }

  /** The server's FIN (shutdown sequence): after pending output; the handler's `recv` then sees the peer's answer. */
  closeWrite(): void {
    void this.shutdownWrite().catch(() => {});
    this.#hooks.wake();
  }

  /** Reset (RST) and release now. A waiting `recv` sees end of stream, a waiting `sendall` throws. */
  abort(): void {
    this.#release(true, new ConnectionClosedError('connection was reset by the server'));
  }

  /**
   * One sweep's turn: at most one read and one write, plus the linger's
   * deadline (the idle and stall watches run on their own coarse timers).
   * Returns whether anything moved or changed.
   */
  poll(now: number): boolean {
    this.#readTurnUsed = false;
    this.#writeTurnUsed = false;
    if (this.#released) return false;
    let progress = false;
    if (this.#write) progress = this.#tryWrite() || progress;
    if (this.#read) progress = this.#tryRead() || progress;
    if (this.#linger) progress = this.#pollLinger(now) || progress;
    return progress;
  }

  /** The contract's idle rule: `recv` rejects with the error from now on, and the connection closes (flush, FIN, linger). */
  #onIdle(error: IdleTimeoutError): void {
    if (this.#released) return;
    this.#idleError = error;
    const read = this.#read;
    this.#read = undefined;
    read?.reject(error);
    void this.close();
    this.#hooks.wake();
  }

  #stallWatch(): SendStallWatch {
    this.#stall ??= new SendStallWatch(
      this.#hooks.limits.sendStallTimeout,
      () => (this.#write ? this.#write.data.length - this.#write.offset : 0),
      (error) => {
        this.#error = error;
        this.#release(true, error);
        this.#hooks.wake();
      },
    );
    return this.#stall;
  }

  /** Tries the parked read once; true if it moved anything. */
  #tryRead(): boolean {
    const read = this.#read!;
    this.#readTurnUsed = true;
    let result: Uint8Array | typeof WOULD_BLOCK;
    try {
      result = this.#socket.recv(read.maxBytes);
    } catch (error) {
      this.#error = error;
      this.#read = undefined;
      read.reject(error);
      return true;
    }
    const { counters } = this.#hooks;
    if (result === WOULD_BLOCK) {
      counters.wouldBlock++;
      return false;
    }
    counters.reads++;
    this.#idle?.touch();
    if (result.length === 0) this.#readEnded = true;
    this.#settleRead(result);
    return true;
  }

  /** Tries the parked write once (at most `MAX_WRITE_PER_TURN` bytes); true if it moved anything. */
  #tryWrite(): boolean {
    const write = this.#write!;
    this.#writeTurnUsed = true;
    const remaining = write.data.length - write.offset;
    let result: number | typeof WOULD_BLOCK;
    try {
      result = this.#socket.send(write.data, write.offset, Math.min(remaining, MAX_WRITE_PER_TURN));
    } catch (error) {
      this.#error = error;
      this.#write = undefined;
      write.reject(error);
      return true;
    }
    const { counters } = this.#hooks;
    if (result === WOULD_BLOCK) {
      counters.wouldBlock++;
      return false;
    }
    counters.writes++;
    write.offset += result;
    this.#idle?.touch();
    this.#stall?.progressed();
    if (write.offset < write.data.length) {
      if (result < Math.min(remaining, MAX_WRITE_PER_TURN)) counters.partialWrites++;
      return true;
    }
    this.#write = undefined;
    write.resolve();
    return true;
  }

  #pollLinger(now: number): boolean {
    let result: Uint8Array | typeof WOULD_BLOCK;
    try {
      result = this.#socket.recv();
    } catch {
      this.#release(false);
      return true;
    }
    if (result !== WOULD_BLOCK && result.length === 0) {
      this.#readEnded = true;
      this.#release(false);
      return true;
    }
    if (now >= this.#linger!.deadline) {
      this.#release(false);
      return true;
    }
    if (result === WOULD_BLOCK) this.#hooks.counters.wouldBlock++;
    return result !== WOULD_BLOCK;
  }

  #settleRead(data: Uint8Array): void {
    const read = this.#read;
    this.#read = undefined;
    read?.resolve(data);
  }

  /** Resolves once no `sendall` is pending (whatever its outcome). */
  #flushed(): Promise<void> {
    const write = this.#write;
    if (!write) return Promise.resolve();
    return new Promise((resolve) => {
      this.#write = {
        ...write,
        resolve: () => {
          write.resolve();
          resolve();
        },
        reject: (error) => {
          write.reject(error);
          resolve();
        },
      };
    });
  }

  async #close(): Promise<void> {
    if (this.#released) return;
    this.#read?.reject(new ConnectionClosedError('connection closed while recv() was waiting'));
    this.#read = undefined;
    await this.#flushed();
    if (this.#released) return;
    if (this.#error !== undefined || this.#readEnded) {
      this.#release(false);
      return;
    }
    this.#writeShut = true;
    this.#socket.shutdownWrite();
    await new Promise<void>((resolve) => {
      this.#linger = { deadline: Date.now() + this.#hooks.limits.lingerTimeout, resolve };
      this.#hooks.wake();
    });
  }

  /** Releases the descriptor once: RST if `reset`, else close(2) after our FIN. */
  #release(reset: boolean, reason?: unknown): void {
    if (this.#released) return;
    this.#released = true;
    this.#readClosed = true;
    this.#idle?.stop();
    this.#stall?.stop();
    this.#settleRead(EMPTY);
    const write = this.#write;
    this.#write = undefined;
    write?.reject(reason ?? new ConnectionClosedError('connection is closed'));
    const linger = this.#linger;
    this.#linger = undefined;
    if (reset) this.#socket.abort();
    else this.#socket.close();
    linger?.resolve();
    this.#hooks.released(this);
  }
}
