// One end of an in-memory connection, for unit-testing a portable handler
// without a socket (Twisted's StringTransport, but two-ended): what one end
// sends, the other end receives, with the contract's rules — bounded, one
// recv at a time, half-close, close, reset.
import type { Address } from '../address.js';
import { type Connection, type Sendable, toBytes } from '../connection.js';
import { ConnectionClosedError, ConnectionResetError, ReadInProgressError } from '../errors.js';
import { DEFAULT_RECV_SIZE, type Limits } from '../limits.js';

const EMPTY = new Uint8Array(0);

/**
 * One end of a {@link connectionPair}. `sendall` hands bytes to the other
 * end's queue and waits while that end holds `limits.maxReceiveBuffer` or
 * more unread bytes (as a real connection's buffers fill); `recv` answers
 * at once from the queue, waits for bytes, and answers empty once the other
 * end sent FIN (`shutdownWrite`/`close`) and the queue is drained. A second
 * pending `recv` rejects with `ReadInProgressError`; after `reset()` on
 * either end, IO on the other rejects with `ConnectionResetError`.
 */
export class MemoryConnection implements Connection {
  readonly remote: Address;
  readonly local: Address;
  #peer!: MemoryConnection;
  readonly #limits: Limits;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  /** The other end sent FIN: nothing more arrives. */
  #readEnded = false;
  #writeShut = false;
  #closed = false;
  #reset = false;
  #reader:
    | { max: number; resolve: (data: Uint8Array) => void; reject: (e: Error) => void }
    | undefined;
  /** Sends of the other end waiting for this end to read. */
  #blockedSenders: Array<() => void> = [];

  /** @internal Use {@link connectionPair}. */
  constructor(local: Address, remote: Address, limits: Limits) {
    this.local = local;
    this.remote = remote;
    this.#limits = limits;
  }

  /** @internal Links the two ends. */
  static link(a: MemoryConnection, b: MemoryConnection): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** Unread bytes queued at this end. */
  get pendingBytes(): number {
    return this.#queued;
  }

  /** This end called `close()` or `reset()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** This end sent FIN (`shutdownWrite()` or `close()`). */
  get writeShut(): boolean {
    return this.#writeShut;
  }

  recv(maxBytes = DEFAULT_RECV_SIZE): Promise<Uint8Array> {
    if (this.#reader) {
      return Promise.reject(new ReadInProgressError());
    }
    if (this.#reset) return Promise.reject(resetError());
    if (this.#queued > 0) return Promise.resolve(this.#take(maxBytes));
    if (this.#readEnded || this.#closed) return Promise.resolve(EMPTY);
    return new Promise((resolve, reject) => {
      this.#reader = { max: maxBytes, resolve, reject };
    });
  }

  async sendall(data: Sendable): Promise<void> {
    const bytes = toBytes(data);
    this.#checkWritable();
    if (bytes.length === 0) return;
    // A copy: the caller may reuse its buffer once sendall returns, as with a socket.
    this.#peer.#deliver(Uint8Array.from(bytes));
    while (this.#peer.#queued >= this.#limits.maxReceiveBuffer) {
      await new Promise<void>((resolve) => this.#peer.#blockedSenders.push(resolve));
      this.#checkWritable();
    }
  }

  shutdownWrite(): void {
    if (this.#writeShut || this.#reset) return;
    this.#writeShut = true;
    this.#peer.#finReceived();
  }

  /** FIN to the other end; this end's `recv` answers empty from now on. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.shutdownWrite();
    this.#closeHere();
  }

  /** No more IO at this end; the other end's sends waiting on it are woken (and refused). */
  #closeHere(): void {
    this.#closed = true;
    this.#settleReader(EMPTY);
    this.#wakeSenders();
  }

  /** Aborts the connection (RST): IO on the other end rejects with `ConnectionResetError`. */
  reset(): void {
    if (this.#closed) return;
    // No FIN: the other end learns of the reset first, then this end is closed.
    this.#peer.#resetByPeer();
    this.#writeShut = true;
    this.#closeHere();
  }

  #deliver(bytes: Uint8Array): void {
    const reader = this.#reader;
    if (reader !== undefined && this.#queued === 0) {
      this.#reader = undefined;
      if (bytes.length <= reader.max) {
        reader.resolve(bytes);
        return;
      }
      reader.resolve(bytes.subarray(0, reader.max));
      bytes = bytes.subarray(reader.max);
    }
    this.#queue.push(bytes);
    this.#queued += bytes.length;
  }

  #take(maxBytes: number): Uint8Array {
    const head = this.#queue[0] as Uint8Array;
    let out = head;
    if (head.length <= maxBytes) this.#queue.shift();
    else {
      out = head.subarray(0, maxBytes);
      this.#queue[0] = head.subarray(maxBytes);
    }
    this.#queued -= out.length;
    if (this.#queued < this.#limits.maxReceiveBuffer) this.#wakeSenders();
    return out;
  }

  #finReceived(): void {
    this.#readEnded = true;
    if (this.#queued === 0) this.#settleReader(EMPTY);
  }

  #resetByPeer(): void {
    this.#reset = true;
    this.#queue.length = 0;
    this.#queued = 0;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.reject(resetError());
    this.#peer.#wakeSenders();
    this.#wakeSenders();
  }

  #settleReader(data: Uint8Array): void {
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.resolve(data);
  }

  #wakeSenders(): void {
    const senders = this.#blockedSenders;
    this.#blockedSenders = [];
    for (const wake of senders) wake();
  }

  #checkWritable(): void {
    if (this.#reset) throw resetError();
    if (this.#writeShut) throw new ConnectionClosedError('connection is closed for writing');
    if (this.#peer.#closed) {
      // A real peer that closed answers further data with RST.
      throw new ConnectionResetError('the other end closed the connection');
    }
  }
}

function resetError(): ConnectionResetError {
  return new ConnectionResetError('connection reset by peer');
}
