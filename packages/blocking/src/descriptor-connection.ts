// The BlockingConnection every blocking server hands its handler: recv is
// one real read(2) on the descriptor, sendall write(2)s until every byte is
// out. The same class runs on the main thread (TCPServer), in a worker
// thread (ThreadingTCPServer) and in a child process (ForkingTCPServer).

// Imported, not the global: Node's global `Buffer` is an accessor, a
// getter call on every recv.
import { Buffer } from 'node:buffer';
import {
  type Address,
  type BlockingConnection,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  type Sendable,
  toBytes,
} from '@iomodels/contract/core';
import { readInto, writeEvery } from './descriptor-io.js';

const EMPTY = new Uint8Array(0);

/**
 * What the connection cannot do from where it runs; the dispatching side
 * does it. A runner passes the same per-call functions to every connection
 * it serves (the calls below run on every read and write: one call site,
 * one target, so the optimising compiler inlines them).
 */
export interface DescriptorHooks {
  /**
   * Send FIN. libuv performs `shutdown(2)` on the owning thread's event loop,
   * so a worker or child asks its owner; the write side is closed at once.
   */
  shutdownWrite(): void | Promise<void>;
  /**
   * `close()`: no call will follow on this connection. Default: `shutdownWrite`.
   * A runner whose owner releases the descriptor as soon as the request
   * ends may send the FIN with that instead of a message of its own.
   */
  close?(): void;
  /**
   * Called before each read, where a pending abort turns into the handler's
   * signal; it may throw (the idle verdict), and `recv` then throws that
   * without reading.
   */
  beforeRead?(): void;
  /**
   * Called when a read returned `bytes` (0: end of stream): a signal fired
   * while it waited reaches the handler now; it may throw (the idle
   * verdict), and `recv` then throws that.
   */
  afterRead?(bytes: number): void;
  /** Called before each write: where a pending abort turns into the handler's signal. */
  beforeWrite?(): void;
  /** Called when a write put every byte in the kernel. */
  afterWrite?(): void;
}

const noop = () => {};

/**
 * A connection over a blocking descriptor. It never closes the descriptor
 * (its owner does, once the handler has returned: a descriptor closed while
 * a thread may still read it can be reused by the next connection).
 */
export class DescriptorConnection implements BlockingConnection {
  readonly remote: Address;
  readonly local: Address;
  readonly #fd: number;
  readonly #buffer: Buffer;
  /**
   * The read buffer's first `#copyLength` bytes, the view recv copies from:
   * remade only when a read's length differs from the last one's (a
   * protocol's messages are mostly one size), not for every message.
   */
  #copySource: Uint8Array = EMPTY;
  #copyLength = 0;
  readonly #hooks: DescriptorHooks;
  readonly #beforeRead: () => void;
  readonly #afterRead: (bytes: number) => void;
  readonly #beforeWrite: () => void;
  readonly #afterWrite: () => void;
  #writeClosed = false;
  #closed = false;

  /**
   * @param readBuffer reused by every `recv` of this thread (one per thread,
   *   not per message); `recv` returns a copy of what it read.
   */
  constructor(
    fd: number,
    remote: Address,
    local: Address,
    readBuffer: Buffer,
    hooks: DescriptorHooks,
  ) {
    this.#fd = fd;
    this.remote = remote;
    this.local = local;
    this.#buffer = readBuffer;
    this.#hooks = hooks;
    this.#beforeRead = hooks.beforeRead ?? noop;
    this.#afterRead = hooks.afterRead ?? noop;
    this.#beforeWrite = hooks.beforeWrite ?? noop;
    this.#afterWrite = hooks.afterWrite ?? noop;
  }

  /** The descriptor (Python's `socket.fileno()`); valid until the handler returns. */
  fileno(): number {
    return this.#fd;
  }

  /**
   * One blocking `read(2)` of at most `maxBytes` (and at most the read
   * buffer's size). The bytes are the caller's to keep: a new array each
   * call, as Python's `recv` returns new bytes. A handler that wants no
   * allocation per message calls `recvInto`.
   */
  recv(maxBytes = DEFAULT_RECV_SIZE): Uint8Array {
    const buffer = this.#buffer;
    const n = this.#read(buffer, Math.min(maxBytes, buffer.length));
    if (n === 0) return EMPTY;
    if (n !== this.#copyLength) {
      this.#copySource = new Uint8Array(buffer.buffer, buffer.byteOffset, n);
      this.#copyLength = n;
    }
    const data = Buffer.allocUnsafe(n);
    // What buffer.copy does once its arguments are checked.
    data.set(this.#copySource);
    return data;
  }

  /**
   * Python's `recv_into`: one blocking `read(2)` straight into `buffer`
   * (at most `nbytes`; 0 or absent: its length, as in Python); the byte
   * count, 0 when the peer has closed. Nothing is allocated and nothing copied: the handler owns
   * `buffer` and may reuse it for every message (`buffer.subarray(0, n)`
   * to send the bytes back).
   */
  recvInto(buffer: Uint8Array, nbytes = 0): number {
    if (!Number.isInteger(nbytes) || nbytes < 0 || nbytes > buffer.length) {
      throw new RangeError(`nbytes must be an integer from 0 to ${buffer.length}, got ${nbytes}`);
    }
    return this.#read(buffer, nbytes || buffer.length);
  }

  #read(buffer: Uint8Array, length: number): number {
    if (this.#closed) throw new ConnectionClosedError('connection is closed');
    this.#beforeRead();
    const n = readInto(this.#fd, buffer, length);
    this.#afterRead(n);
    return n;
  }

  /** Blocking `write(2)` until every byte is in the kernel; a vanished peer throws. */
  sendall(data: Sendable): void {
    if (this.#closed || this.#writeClosed) {
      throw new ConnectionClosedError('connection is closed for writing');
    }
    this.#beforeWrite();
    writeEvery(this.#fd, toBytes(data));
    this.#afterWrite();
  }

  /** Half-close: FIN after everything sent so far; `recv` keeps working. */
  shutdownWrite(): void | Promise<void> {
    if (this.#writeClosed) return;
    this.#writeClosed = true;
    return this.#hooks.shutdownWrite();
  }

  /** Sends FIN and refuses further calls; the owner releases the descriptor. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#writeClosed) return;
    this.#writeClosed = true;
    if (this.#hooks.close) this.#hooks.close();
    else void this.#hooks.shutdownWrite();
  }
}
