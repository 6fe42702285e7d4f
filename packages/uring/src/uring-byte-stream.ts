// A connection accepted through the ring, as the byte stream the event-loop
// models drive (`@iomodels/fd`'s ByteStream, matched structurally: this
// package does not depend on fd). Where the kernel has them (Linux ≥ 6.0),
// one multishot recv per connection into the loop's shared buffer pool,
// posted once and completing for every arrival; elsewhere one recv in
// flight at a time, into the buffer the owner chose. Sends go one at a
// time, the unsent rest of a short send resent; close cancels what is in
// flight before the descriptor goes; reset is SO_LINGER 0 then close.
import { errnoName, errnoValue } from './errno-name.js';
import {
  SHUT_WR,
  SOCKOPT_KEEPALIVE,
  SOCKOPT_LINGER_ZERO,
  SOCKOPT_NODELAY,
  type SocketAddress,
  type UringLoop,
} from './uring-loop.js';

/** Called when a write completed: every byte handed to the kernel, or failed. */
export type UringWriteDone = (error: Error | null) => void;

/** What the stream tells its owner: the shape of `@iomodels/fd`'s ByteStreamListener. */
export interface UringStreamListener {
  /** `length` bytes landed at the start of `buffer`; return another buffer to move the next recv there. */
  onData(buffer: Uint8Array, length: number): Uint8Array | undefined;
  /** The peer sent FIN; writing still works. */
  onEnd(): void;
  /** Every queued write has completed. */
  onDrain(): void;
  /** A recv or send failed; once. */
  onError(error: Error): void;
}

interface QueuedWrite {
  data: Uint8Array;
  sent: number;
  done: UringWriteDone | undefined;
}

const UNKNOWN_ADDRESS: SocketAddress = { host: '', port: 0, family: 'IPv4' };
const NONE = -1;
const ECANCELED = -errnoValue('ECANCELED');
const ENOBUFS = -errnoValue('ENOBUFS');

/** An errno-style Error, as Node's own socket errors look (`code` is the errno name). */
function errnoError(syscall: string, result: number): Error {
  const code = errnoName(result);
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: result, syscall });
}

/**
 * One connected descriptor driven through `loop`. `shared` names a buffer
 * other streams also read into (the owner's staging buffer): a recv in
 * flight cannot share memory with another connection's, so when the owner
 * starts out reading into it this stream reads with one multishot recv into
 * the loop's buffer pool (`UringLoop.pool()`, Linux ≥ 6.0) and hands each
 * pool buffer to `onData`, taking it back when `onData` returns (the next
 * read stays in the pool whatever `onData` returns); without a pool, into a
 * buffer of its own, of the same size, allocated on first use.
 * Reading starts at once. Writes never complete at once (`write` returns false): the kernel
 * reports every send through the completion queue.
 */
export class UringByteStream {
  /** Which implementation this is (`@iomodels/fd`'s ByteStream `kind`). */
  readonly kind = 'uring' as const;
  readonly fd: number;
  readonly #loop: UringLoop;
  readonly #listener: UringStreamListener;
  readonly #shared: Uint8Array | undefined;
  readonly #remote: SocketAddress;
  #own: Uint8Array | undefined;
  /** Where the owner wants the next recv. */
  #target: Uint8Array;
  /** The buffer of the recv in flight (or held). */
  #recvBuffer: Uint8Array | undefined;
  #recvId = NONE;
  /** A recv that completed while reading was stopped: its result, delivered on `readStart`. */
  #held: number | undefined;
  /** The loop's buffer pool when reading is one multishot recv into it. */
  readonly #pool: readonly Uint8Array[] | undefined;
  /** Multishot completions that came while reading was stopped: (result, bufferId) pairs. */
  readonly #heldPooled: number[] = [];
  #reading = false;
  #ended = false;
  #failed = false;
  #closed = false;
  readonly #writes: QueuedWrite[] = [];
  #pending = 0;
  #sendId = NONE;
  /** `shutdown` was asked while writes were queued: sent after the last one. */
  #shutdownAfterWrites: { done: UringWriteDone | undefined } | undefined;
  readonly #onRecv = (result: number) => this.#received(result);
  readonly #onSent = (result: number) => this.#sent(result);
  readonly #onPooled = (result: number, more: boolean, bufferId: number) =>
    this.#receivedPooled(result, more, bufferId);

  constructor(
    loop: UringLoop,
    fd: number,
    listener: UringStreamListener,
    buffer: Uint8Array,
    shared?: Uint8Array,
    /** The peer as the caller already knows it (e.g. from a PROXY header); default getpeername(2). */
    remote?: SocketAddress,
  ) {
    this.#loop = loop;
    this.fd = fd;
    this.#listener = listener;
    this.#target = buffer;
    this.#shared = shared;
    // An owner that reads into a staging buffer shared between connections
    // copies every read out anyway: that is the case the pool serves (no
    // memory per connection, no recv posted per message). An owner that
    // gives a buffer of its own gets its reads there.
    this.#pool = shared !== undefined && buffer === shared ? loop.pool() : undefined;
    const peer = remote ?? loop.address(fd, true);
    this.#remote = typeof peer === 'number' ? UNKNOWN_ADDRESS : peer;
    // Reading from the start, as fd's streams do: the owner only stops it for back-pressure.
    this.readStart();
  }

  get pendingBytes(): number {
    return this.#pending;
  }

  get reading(): boolean {
    return this.#reading;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues `data` for sending; always `false` (completion comes from the ring), `done` once sent or failed. */
  write(data: Uint8Array, done?: UringWriteDone): boolean {
    if (data.length === 0) return true;
    if (this.#closed || this.#failed) {
      const error = errnoError('send', this.#closed ? -9 : -32); // EBADF / EPIPE
      queueMicrotask(() => done?.(error));
      return false;
    }
    this.#writes.push({ data, sent: 0, done });
    this.#pending += data.length;
    if (this.#sendId === NONE) this.#sendNext();
    return false;
  }

  writeString(text: string, done?: UringWriteDone): boolean {
    return this.write(Buffer.from(text, 'utf8'), done);
  }

  readStart(): void {
    if (this.#closed || this.#ended || this.#failed || this.#reading) return;
    this.#reading = true;
    if (this.#pool) {
      if (this.#heldPooled.length > 0) queueMicrotask(() => this.#releaseHeld());
      else if (this.#recvId === NONE) this.#recvPooled();
      return;
    }
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      // Delivered from a microtask: the owner calls readStart from inside its own bookkeeping.
      queueMicrotask(() => {
        if (this.#closed) return;
        if (this.#reading) this.#deliver(held);
        else this.#held = held;
      });
    } else if (this.#recvId === NONE) {
      this.#recvNext();
    }
  }

  readStop(): void {
    this.#reading = false;
    // A multishot recv is cancelled, so that bytes stay in the kernel and
    // TCP pushes back; what completes before the cancel is held.
    if (this.#pool) {
      if (this.#recvId !== NONE) this.#loop.cancel(this.#recvId);
      return;
    }
    // A recv into a buffer of our own stays posted (its result is held until
    // readStart); one into the owner's buffer is cancelled, as the owner may
    // take that buffer back now (a read that failed or was closed under it).
    if (this.#recvId !== NONE && this.#recvBuffer !== this.#own) this.#loop.cancel(this.#recvId);
  }

  shutdown(done?: UringWriteDone): void {
    if (this.#closed) {
      const error = errnoError('shutdown', -9);
      queueMicrotask(() => done?.(error));
      return;
    }
    if (this.#writes.length > 0) {
      this.#shutdownAfterWrites = { done };
      return;
    }
    this.#loop.shutdown(this.fd, SHUT_WR, (result) => {
      done?.(result < 0 ? errnoError('shutdown', result) : null);
    });
  }

  close(done?: () => void): void {
    if (this.#closed) {
      if (done) queueMicrotask(done);
      return;
    }
    this.#closed = true;
    this.#reading = false;
    const error = errnoError('write', -125); // ECANCELED: the stream closed under it
    for (const write of this.#writes.splice(0)) write.done?.(error);
    this.#pending = 0;
    const shutdown = this.#shutdownAfterWrites;
    this.#shutdownAfterWrites = undefined;
    shutdown?.done?.(error);
    // Cancel before close: an operation in flight holds the file, and its
    // completion must not land in a buffer the owner has moved on from.
    if (this.#recvId !== NONE) this.#loop.cancel(this.#recvId);
    if (this.#sendId !== NONE) this.#loop.cancel(this.#sendId);
    this.#recycleHeld();
    this.#loop.close(this.fd, () => done?.());
  }

  reset(done?: () => void): void {
    if (!this.#closed) this.#loop.setOption(this.fd, SOCKOPT_LINGER_ZERO, 1);
    this.close(done);
  }

  setNoDelay(enabled: boolean): void {
    if (!this.#closed) this.#loop.setOption(this.fd, SOCKOPT_NODELAY, enabled ? 1 : 0);
  }

  setKeepAlive(enabled: boolean, initialDelayMs = 0): void {
    if (this.#closed) return;
    const seconds = enabled ? Math.floor(initialDelayMs / 1000) : -1;
    this.#loop.setOption(this.fd, SOCKOPT_KEEPALIVE, seconds);
  }

  remote(): SocketAddress {
    return this.#remote;
  }

  local(): SocketAddress {
    if (this.#closed) return UNKNOWN_ADDRESS;
    const local = this.#loop.address(this.fd, false);
    return typeof local === 'number' ? UNKNOWN_ADDRESS : local;
  }

  #recvPooled(): void {
    this.#recvId = this.#loop.recvMultishot(this.fd, this.#onPooled);
  }

  #receivedPooled(result: number, more: boolean, bufferId: number): void {
    if (!more) this.#recvId = NONE;
    if (this.#closed) {
      if (bufferId >= 0) this.#loop.recycle(bufferId);
      return;
    }
    if (result === ECANCELED || result === ENOBUFS) {
      // Ended by readStop's cancel, or the pool ran dry: post it again when
      // reading (a dry pool a turn later, once buffers have come back).
      if (result === ENOBUFS) setImmediate(() => this.#rearm());
      else this.#rearm();
      return;
    }
    if (!this.#reading || this.#heldPooled.length > 0) {
      this.#heldPooled.push(result, bufferId);
      return;
    }
    this.#deliverPooled(result, bufferId);
    // The kernel may end a multishot recv that still has bytes to give.
    if (!more && result > 0) this.#rearm();
  }

  #rearm(): void {
    if (this.#reading && !this.#closed && !this.#ended && !this.#failed) {
      if (this.#recvId === NONE && this.#heldPooled.length === 0) this.#recvPooled();
    }
  }

  /** Bytes in pool buffer `bufferId` go to the owner, which copies them out; the buffer goes back. */
  #deliverPooled(result: number, bufferId: number): void {
    if (result > 0) {
      try {
        this.#listener.onData(this.#pool![bufferId]!, result);
      } finally {
        this.#loop.recycle(bufferId);
      }
      return;
    }
    if (bufferId >= 0) this.#loop.recycle(bufferId);
    this.#endOrFail(result);
  }

  /** A recv completed with no bytes: 0 is the peer's FIN, < 0 an error. */
  #endOrFail(result: number): void {
    if (result === 0) {
      this.#ended = true;
      this.#reading = false;
      this.#listener.onEnd();
    } else {
      this.#fail(errnoError('recv', result));
    }
  }

  /** Reading restarted: what came while it was stopped, in order, then the recv again. */
  #releaseHeld(): void {
    const held = this.#heldPooled;
    while (held.length > 0 && this.#reading && !this.#closed) {
      const result = held.shift()!;
      const bufferId = held.shift()!;
      this.#deliverPooled(result, bufferId);
    }
    this.#rearm();
  }

  #recycleHeld(): void {
    const held = this.#heldPooled;
    for (let i = 1; i < held.length; i += 2) if (held[i]! >= 0) this.#loop.recycle(held[i]!);
    held.length = 0;
  }

  #recvNext(): void {
    let target = this.#target;
    if (target === this.#shared) {
      this.#own ??= new Uint8Array(target.length);
      target = this.#own;
    }
    this.#recvBuffer = target;
    this.#recvId = this.#loop.recv(this.fd, target, 0, target.length, this.#onRecv);
  }

  #received(result: number): void {
    this.#recvId = NONE;
    if (this.#closed) return;
    if (result === ECANCELED) {
      // Cancelled by readStop; reading may have restarted since.
      if (this.#reading) this.#recvNext();
      return;
    }
    if (!this.#reading) this.#held = result;
    else this.#deliver(result);
  }

  #deliver(result: number): void {
    if (result > 0) {
      const next = this.#listener.onData(this.#recvBuffer!, result);
      if (next !== undefined) this.#target = next;
      if (this.#reading && !this.#closed && this.#recvId === NONE) this.#recvNext();
    } else {
      this.#endOrFail(result);
    }
  }

  #sendNext(): void {
    const head = this.#writes[0]!;
    const { data, sent } = head;
    this.#sendId = this.#loop.send(this.fd, data, sent, data.length - sent, this.#onSent);
  }

  #sent(result: number): void {
    this.#sendId = NONE;
    if (this.#closed) return;
    if (result < 0) {
      this.#fail(errnoError('send', result));
      return;
    }
    const head = this.#writes[0]!;
    head.sent += result;
    this.#pending -= result;
    if (head.sent === head.data.length) {
      this.#writes.shift();
      head.done?.(null);
      if (this.#closed) return;
    }
    if (this.#writes.length > 0) {
      this.#sendNext();
      return;
    }
    this.#listener.onDrain();
    const shutdown = this.#shutdownAfterWrites;
    if (shutdown && !this.#closed) {
      this.#shutdownAfterWrites = undefined;
      this.shutdown(shutdown.done);
    }
  }

  /** A recv or send failed: queued writes fail with it, the owner hears it once. */
  #fail(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#reading = false;
    for (const write of this.#writes.splice(0)) write.done?.(error);
    this.#pending = 0;
    const shutdown = this.#shutdownAfterWrites;
    this.#shutdownAfterWrites = undefined;
    shutdown?.done?.(error);
    this.#listener.onError(error);
  }
}
