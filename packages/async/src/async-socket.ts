// A connected TCP socket whose reads and writes are posted operations that
// complete later (Boost.Asio's `ip::tcp::socket`). One read outstanding at a
// time; writes complete in the order they were posted. This class composes
// the parts (receive queue, read slot, ordered writes, staging buffer, idle
// timer, composed reads) and owns the socket's lifecycle: delivery, close,
// linger, release.
import type net from 'node:net';
import {
  type Address,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  type IdleTimeoutError,
  IdleWatch,
  type Sendable,
  toBytes,
  toConnectionError,
} from '@iomodels/contract';
import type { AcceptedHandle, ByteStream, ByteStreamListener } from '@iomodels/fd';
import {
  abortReason,
  type CompletionCallback,
  fail,
  inForm,
  type OperationOptions,
  splitArgs,
  succeed,
} from './completion.js';
import {
  composedRead,
  type ReadSource,
  readExactly,
  readLine,
  readUntil,
} from './composed-reads.js';
import { OrderedWrites } from './ordered-writes.js';
import {
  copyOf,
  type ReadPath,
  readPathOf,
  STAGING,
  type StreamSource,
  staged,
  streamOf,
} from './read-path.js';
import { type PostedReadKind, ReadKind, ReadSlot, readInProgress } from './read-slot.js';
import { copyInto, ReceiveQueue } from './receive-queue.js';
import type { SocketSettings } from './socket-settings.js';

export type { ReadPath } from './read-path.js';

const EMPTY = new Uint8Array(0);

/**
 * A proactor socket. Every operation comes in two forms: it returns a
 * Promise, or — given a callback as its last argument — returns nothing and
 * calls `callback(error, result)` on completion. Every operation takes an
 * `AbortSignal`; a socket error completes every pending operation with that
 * error. Build one with `Proactor.connect`, `Proactor.accept` or
 * `Proactor.adopt`.
 */
export class AsyncSocket implements AsyncIterable<Uint8Array>, AsyncDisposable, ByteStreamListener {
  readonly #stream: ByteStream;
  readonly #settings: SocketSettings;
  /** Received bytes no read has taken yet. */
  readonly #queue = new ReceiveQueue();
  /** The one outstanding read. */
  readonly #slot = new ReadSlot();
  /**
   * Posted writes waiting for completion: made when a write first goes
   * asynchronous (an idle connection whose writes all completed at once
   * holds none), then kept.
   */
  #writes: OrderedWrites | undefined;
  /** Writes completed at once before `#writes` was made. */
  #writtenAtOnce = 0;
  /** Reading stopped (read-ahead full, or closing into a caller's buffer). */
  #paused = false;
  #eof = false;
  #error: Error | undefined;
  /** `close()` was called: input is thrown away, no new operation starts. */
  #discard = false;
  /** What `close()` returns (made on its first call). */
  #closing: Promise<void> | undefined;
  #resolveClosing: (() => void) | undefined;
  /** The descriptor is being or has been closed; nothing more goes through the stream. */
  #released = false;
  /** `shutdownWrite` (or `close`) was called: no more writes. */
  #writeEnded = false;
  /** The FIN went out (or failed): with end of stream too, the socket is released. */
  #shutDone = false;
  /** Release right after the FIN, without waiting for the peer's (closing into a caller's buffer). */
  #releaseAfterShutdown = false;
  #linger: NodeJS.Timeout | undefined;
  /** Inside `onData`: the installed target is about to be replaced. */
  #delivering = false;
  /** The set of the proactor that tracks this socket. */
  #owner: Set<AsyncSocket> | undefined;
  #local: Address | undefined;
  /** The stream's write callback, made on the first write (bound: no closure context kept). */
  #onWriteDone: ((error: Error | null) => void) | undefined;
  /** What composed reads see of this socket, made on the first one. */
  #source: ReadSource | undefined;

  /** What libuv reads into next: STAGING or the caller's buffer. */
  #installed: Uint8Array = STAGING;
  /** The contract's idle rule; told of every read and write (`undefined`: no idle timeout). */
  #idle: IdleWatch | undefined;

  /**
   * @internal Use `Proactor`. Takes `socket` (accepted with
   * `pauseOnConnect`, or connected, and never read) onto the libuv handle
   * with `prefer: 'handle'` where the runtime allows, else (or with
   * `'socket'`) over its public API; or runs on the stream `source` makes
   * (a ready stream, e.g. a connection accepted through io_uring).
   */
  constructor(
    source: net.Socket | AcceptedHandle | StreamSource,
    settings: SocketSettings,
    prefer: 'handle' | 'socket' = 'handle',
  ) {
    this.#settings = settings;
    this.#stream = typeof source === 'function' ? source(this) : streamOf(source, this, prefer);
    // A socket closed before it was taken over (e.g. while waiting for an accept).
    if (this.#stream.closed) this.#release(false);
    else this.#idle = IdleWatch.start(settings.idleTimeout, (error) => this.#timedOut(error));
  }

  /** How reads reach memory on this socket; see {@link ReadPath}. (A getter: no field per socket.) */
  get readPath(): ReadPath {
    return readPathOf(this.#stream.kind);
  }

  /** The peer's address. */
  get remote(): Address {
    return this.#stream.remote();
  }

  /** This end's address. */
  get local(): Address {
    if (this.#local === undefined) {
      const local = this.#stream.local();
      if (this.#released) return local;
      this.#local = local;
    }
    return this.#local;
  }

  /** Writes posted and not yet completed. */
  get pendingWrites(): number {
    return this.#writes?.pending ?? 0;
  }

  /** Writes completed since the socket opened (handed to the kernel, or failed). */
  get completedWrites(): number {
    return this.#writtenAtOnce + (this.#writes?.completed ?? 0);
  }

  /** True once the socket is closed; every later operation fails with `ConnectionClosedError`. */
  get closed(): boolean {
    return this.#released;
  }

  /** TCP_NODELAY: send small writes at once instead of coalescing them (Nagle). */
  setNoDelay(enabled = true): void {
    if (!this.#released) this.#stream.setNoDelay(enabled);
  }

  /** SO_KEEPALIVE, first probe after `initialDelayMs`. */
  setKeepAlive(enabled = true, initialDelayMs = 0): void {
    if (!this.#released) this.#stream.setKeepAlive(enabled, initialDelayMs);
  }

  /**
   * Posts a read into `buffer`: completes with the number of bytes placed at
   * its start as soon as any arrive, 0 at end of stream. The buffer belongs
   * to the socket until the read completes.
   */
  read(buffer: Uint8Array, options?: OperationOptions): Promise<number>;
  read(buffer: Uint8Array, callback: CompletionCallback<number>): void;
  read(buffer: Uint8Array, options: OperationOptions, callback: CompletionCallback<number>): void;
  read(
    buffer: Uint8Array,
    a?: OperationOptions | CompletionCallback<number>,
    b?: CompletionCallback<number>,
  ): Promise<number> | undefined {
    const [signal, callback] = splitArgs(a, b);
    return this.#postRead(ReadKind.Into, buffer, buffer.length, signal, callback);
  }

  /**
   * Posts a read that completes with up to `maxBytes` bytes in a chunk the
   * caller owns (empty at end of stream).
   */
  receive(maxBytes?: number, options?: OperationOptions): Promise<Uint8Array>;
  receive(maxBytes: number, callback: CompletionCallback<Uint8Array>): void;
  receive(
    maxBytes: number,
    options: OperationOptions,
    callback: CompletionCallback<Uint8Array>,
  ): void;
  receive(
    maxBytes = DEFAULT_RECV_SIZE,
    a?: OperationOptions | CompletionCallback<Uint8Array>,
    b?: CompletionCallback<Uint8Array>,
  ): Promise<Uint8Array> | undefined {
    const [signal, callback] = splitArgs(a, b);
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    return this.#postRead(ReadKind.Chunk, EMPTY, maxBytes, signal, callback);
  }

  /**
   * Posts a write: completes with `data.length` once every byte has been
   * handed to the kernel. Writes complete in the order they were posted.
   * Cancelling stops the wait, not the bytes: they are already queued in
   * order and still go out (close or abort the socket to stop them).
   * `data` must not change until the write completes.
   */
  write(data: Sendable, options?: OperationOptions): Promise<number>;
  write(data: Sendable, callback: CompletionCallback<number>): void;
  write(data: Sendable, options: OperationOptions, callback: CompletionCallback<number>): void;
  write(
    data: Sendable,
    a?: OperationOptions | CompletionCallback<number>,
    b?: CompletionCallback<number>,
  ): Promise<number> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const bytes = toBytes(data);
    const refusal = this.#writeRefusal(signal);
    if (refusal) return fail(refusal, callback);
    if (this.#post(bytes)) return succeed(bytes.length, callback);
    return this.#writes!.add(bytes.length, signal, callback); // made by #post
  }

  /**
   * @internal The portable connection's write: `undefined` when the write
   * completed inside the call (the kernel took every byte), else a Promise
   * of its completion. No options, no callback, no allocation when done at once.
   */
  writeNow(bytes: Uint8Array): Promise<number> | undefined {
    const refusal = this.#writeRefusal(undefined);
    if (refusal) return Promise.reject(refusal);
    if (this.#post(bytes)) return undefined;
    return this.#writes!.add(bytes.length, undefined, undefined); // made by #post
  }

  /**
   * @internal The portable connection's read (the contract's `recv`): up to
   * `maxBytes` in a chunk the caller owns — the chunk itself when bytes are
   * queued or the stream has ended (empty), else a Promise of it. Unlike
   * `receive`, a connection this side closed or aborted reads as end of
   * stream (as the contract's `SocketConnection` does), not as an error.
   */
  receiveNow(maxBytes: number): Uint8Array | Promise<Uint8Array> {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    const slot = this.#slot;
    if (slot.busy) {
      return this.#postRead<Uint8Array>(ReadKind.Chunk, EMPTY, maxBytes, undefined, undefined)!;
    }
    if (this.#queue.size > 0) return this.#takeChunk(maxBytes);
    const error = this.#error;
    if (error !== undefined && !ConnectionClosedError.isInstance(error)) {
      return Promise.reject(error);
    }
    if (this.#eof || error !== undefined || this.#released || this.#discard) return EMPTY;
    // Nothing can complete it at once now (checked above): it is posted.
    slot.portable = true;
    const posted = slot.arm<Uint8Array>(ReadKind.Chunk, EMPTY, maxBytes, undefined, undefined)!;
    this.#resume();
    return posted;
  }

  /** Exactly `n` bytes; fails with `IncompleteReadError` (holding what arrived) if the stream ends first. */
  readExactly(n: number, options?: OperationOptions): Promise<Uint8Array>;
  readExactly(n: number, callback: CompletionCallback<Uint8Array>): void;
  readExactly(n: number, options: OperationOptions, callback: CompletionCallback<Uint8Array>): void;
  readExactly(
    n: number,
    a?: OperationOptions | CompletionCallback<Uint8Array>,
    b?: CompletionCallback<Uint8Array>,
  ): Promise<Uint8Array> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const source = this.#readSource();
    return inForm(
      composedRead(source, signal, () => readExactly(source, n, signal)),
      callback,
    );
  }

  /**
   * Bytes up to and including the first `delimiter`. Fails with
   * `LineTooLongError` when `maxBytes` bytes hold no delimiter (the bytes stay
   * unread), with `IncompleteReadError` when the stream ends first.
   */
  readUntil(
    delimiter: Uint8Array | string,
    maxBytes: number,
    options?: OperationOptions,
  ): Promise<Uint8Array>;
  readUntil(
    delimiter: Uint8Array | string,
    maxBytes: number,
    callback: CompletionCallback<Uint8Array>,
  ): void;
  readUntil(
    delimiter: Uint8Array | string,
    maxBytes: number,
    options: OperationOptions,
    callback: CompletionCallback<Uint8Array>,
  ): void;
  readUntil(
    delimiter: Uint8Array | string,
    maxBytes: number,
    a?: OperationOptions | CompletionCallback<Uint8Array>,
    b?: CompletionCallback<Uint8Array>,
  ): Promise<Uint8Array> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const delim = toBytes(delimiter);
    if (delim.length === 0) throw new RangeError('delimiter must not be empty');
    const source = this.#readSource();
    return inForm(
      composedRead(source, signal, () => readUntil(source, delim, maxBytes, signal)),
      callback,
    );
  }

  /**
   * The next line without its `\n` or `\r\n`, decoded as UTF-8; `null` at end
   * of stream; a last line without a newline is returned as a line. Fails with
   * `LineTooLongError` past `maxLength` bytes (default 64 KiB).
   */
  readLine(maxLength?: number, options?: OperationOptions): Promise<string | null>;
  readLine(maxLength: number, callback: CompletionCallback<string | null>): void;
  readLine(
    maxLength: number,
    options: OperationOptions,
    callback: CompletionCallback<string | null>,
  ): void;
  readLine(
    maxLength = 64 * 1024,
    a?: OperationOptions | CompletionCallback<string | null>,
    b?: CompletionCallback<string | null>,
  ): Promise<string | null> | undefined {
    const [signal, callback] = splitArgs(a, b);
    const source = this.#readSource();
    return inForm(
      composedRead(source, signal, () => readLine(source, maxLength, signal)),
      callback,
    );
  }

  /** Half-close: FIN after every posted write; reads go on. Idempotent. */
  shutdownWrite(): void {
    if (this.#writeEnded || this.#released) return;
    this.#writeEnded = true;
    this.#stream.shutdown(() => {
      this.#shutDone = true;
      if (this.#eof || this.#releaseAfterShutdown) this.#release(false);
    });
  }

  /**
   * Graceful close: the pending read completes with `ConnectionClosedError`,
   * posted writes still go out, then FIN; input is discarded until the peer
   * closes too (closing with unread input would make the kernel send RST),
   * or until `lingerTimeout`, when the connection is reset. Resolves once the
   * socket is released. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#released
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.#resolveClosing = resolve;
        });
    if (!this.#discard) this.#beginClose();
    return this.#closing;
  }

  /** @internal `close()` for the portable connection: the same, without a Promise to await. */
  closeSoon(): void {
    if (!this.#discard) this.#beginClose();
  }

  /**
   * Resets the connection (RST) now; every pending operation completes with
   * `reason` (default: `ConnectionClosedError`).
   */
  abort(reason: Error = new ConnectionClosedError('connection aborted on this side')): void {
    this.#fail(reason);
    this.#release(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Yields chunks until end of stream (each one a posted `receive`). Breaking out leaves the socket open. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const chunk = await this.receive(DEFAULT_RECV_SIZE);
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /** @internal Counts this socket in `owner` until it is released (the proactor's open sockets). */
  trackIn(owner: Set<AsyncSocket>): void {
    if (this.#released) return;
    this.#owner = owner;
    owner.add(this);
  }

  // ---- the ByteStream listener ---------------------------------------------

  /**
   * @internal `length` bytes landed in `buffer` (the shared staging buffer
   * or the caller's): complete the posted read or queue them. Returns where
   * the next read lands: the caller's buffer when a read into it is posted
   * by then (the completion callback posted it), nothing queued ahead of it
   * and no signal can cancel it — once installed, the target cannot change
   * until bytes land in it —, else the staging buffer.
   */
  onData(buffer: Uint8Array, length: number): Uint8Array | undefined {
    this.#idle?.touch();
    if (this.#discard) return this.#nextTarget();
    this.#delivering = true;
    try {
      this.#deliver(buffer, length);
      return this.#nextTarget();
    } finally {
      this.#delivering = false;
    }
  }

  /** @internal The peer sent FIN. */
  onEnd(): void {
    this.#eof = true;
    const slot = this.#slot;
    if (!this.#discard) {
      const kind = slot.kind;
      if (kind === ReadKind.Wait) slot.complete(undefined);
      else if (kind !== ReadKind.None && this.#queue.size === 0) {
        slot.complete(kind === ReadKind.Into ? 0 : EMPTY);
      }
    }
    // Both directions done (as net.Socket does with allowHalfOpen): release the descriptor.
    if (this.#shutDone) this.#release(false);
  }

  /** @internal Every write that went asynchronous has completed (their callbacks say so). */
  onDrain(): void {}

  /** @internal A read or write failed: every pending operation completes with the error. */
  onError(error: Error): void {
    this.#fail(toConnectionError(error));
    this.#release(false);
  }

  // ---- delivery ---------------------------------------------------------------

  #deliver(buffer: Uint8Array, length: number): void {
    const slot = this.#slot;
    if (buffer === STAGING) {
      if (this.#queue.size === 0) {
        // The common cases, copied out of the staging buffer with no view made.
        const kind = slot.kind;
        if (kind === ReadKind.Chunk && length <= slot.max) {
          const out = Buffer.allocUnsafe(length);
          out.set(staged(length));
          slot.complete(out);
          return;
        }
        if (kind === ReadKind.Into && length <= slot.buffer.length) {
          slot.buffer.set(staged(length));
          slot.complete(length);
          return;
        }
      }
      this.#arrive(staged(length));
    } else if (slot.kind === ReadKind.Into && buffer === slot.buffer) {
      // Bytes landed in the caller's buffer: the read is done, no copy.
      slot.complete(length);
    } else {
      // A buffer of the stream's own (io_uring: recvs in flight cannot share
      // the staging buffer), or one #nextTarget no longer names: copy out.
      this.#arrive(buffer.subarray(0, length));
    }
    if (this.#queue.size >= this.#settings.readAhead && !this.#paused) {
      // Nobody is reading: let the kernel buffer fill and TCP push back.
      this.#paused = true;
      this.#stream.readStop();
    }
  }

  #nextTarget(): Uint8Array | undefined {
    const slot = this.#slot;
    const target =
      slot.kind === ReadKind.Into &&
      slot.signal === undefined &&
      this.#queue.size === 0 &&
      slot.buffer.length > 0 &&
      !this.#discard
        ? slot.buffer
        : STAGING;
    if (target === this.#installed) return undefined;
    this.#installed = target;
    return target;
  }

  /** Bytes arrived in the staging buffer: serve the pending read, queue (a copy of) the rest. */
  #arrive(chunk: Uint8Array): void {
    const slot = this.#slot;
    const queue = this.#queue;
    const length = chunk.length;
    if (slot.kind === ReadKind.Wait) {
      queue.push(copyOf(chunk));
      slot.complete(undefined);
      return;
    }
    if (queue.size === 0) {
      switch (slot.kind) {
        case ReadKind.Into: {
          const n = copyInto(slot.buffer, chunk, length);
          if (n < length) queue.push(copyOf(chunk.subarray(n)));
          slot.complete(n);
          return;
        }
        case ReadKind.Chunk: {
          const max = slot.max;
          if (length > max) {
            queue.push(copyOf(chunk.subarray(max)));
            slot.complete(copyOf(chunk.subarray(0, max)));
          } else {
            slot.complete(copyOf(chunk));
          }
          return;
        }
        default:
      }
    }
    queue.push(copyOf(chunk));
  }

  // ---- reads --------------------------------------------------------------

  #postRead<T>(
    kind: PostedReadKind,
    buffer: Uint8Array,
    max: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<T> | undefined,
  ): Promise<T> | undefined {
    if (this.#slot.busy) return fail(readInProgress(), callback);
    if (signal?.aborted) return fail(abortReason(signal), callback);
    // Served at once from queued bytes, or by end of stream / a stored error.
    if (this.#queue.size > 0) {
      const result = kind === ReadKind.Into ? this.#takeInto(buffer) : this.#takeChunk(max);
      return succeed(result as T, callback);
    }
    if (this.#error) return fail(this.#error, callback);
    if (this.#eof) return succeed((kind === ReadKind.Into ? 0 : EMPTY) as T, callback);
    if (this.#released || this.#discard) {
      return fail(new ConnectionClosedError('socket is closed'), callback);
    }
    if (kind === ReadKind.Into && buffer.length === 0) return succeed(0 as T, callback);
    const posted = this.#slot.arm(kind, buffer, max, signal, callback);
    this.#resume();
    return posted;
  }

  #takeInto(buffer: Uint8Array): number {
    const n = this.#queue.takeInto(buffer);
    this.#afterTake();
    return n;
  }

  #takeChunk(max: number): Uint8Array {
    const chunk = this.#queue.takeChunk(max);
    this.#afterTake();
    return chunk;
  }

  #afterTake(): void {
    if (this.#paused && this.#queue.size < this.#settings.readAhead) this.#resume();
  }

  #resume(): void {
    if (!this.#paused || this.#released) return;
    this.#paused = false;
    this.#stream.readStart();
  }

  /** What composed reads see of this socket (made on the first composed read). */
  #readSource(): ReadSource {
    if (this.#source === undefined) {
      const socket = this;
      this.#source = {
        slot: this.#slot,
        queue: this.#queue,
        get ended() {
          return socket.#eof;
        },
        waitForData: (signal) => this.#waitForData(signal),
      };
    }
    return this.#source;
  }

  /** Resolves when more bytes than the queue holds now arrived, or the stream ended; rejects on error, close or abort. */
  #waitForData(signal: AbortSignal | undefined): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#eof) return Promise.resolve();
    if (this.#released || this.#discard) {
      return Promise.reject(new ConnectionClosedError('socket is closed'));
    }
    const waiting = this.#slot.wait(signal);
    this.#resume();
    return waiting;
  }

  // ---- writes -------------------------------------------------------------

  /** Hands `bytes` to the stream; true if the write completed inside the call (else `#writes` exists). */
  #post(bytes: Uint8Array): boolean {
    this.#idle?.touch();
    // Bound, not an arrow: no closure context kept per connection.
    this.#onWriteDone ??= this.#writeCompleted.bind(this);
    const done = this.#onWriteDone;
    if (!this.#stream.write(bytes, done)) {
      this.#writes ??= new OrderedWrites();
      this.#writes.issued();
      return false;
    }
    // The kernel took every byte inside that call: the write has completed.
    // (A stream never completes a write at once behind queued ones; if it
    // did, the completion would still wait for theirs, in order.)
    const writes = this.#writes;
    if (writes === undefined) this.#writtenAtOnce++;
    else if (writes.pending > 0) return false;
    else writes.completedAtOnce();
    return true;
  }

  #writeRefusal(signal: AbortSignal | undefined): Error | undefined {
    if (this.#error) return this.#error;
    if (signal?.aborted) return abortReason(signal);
    if (this.#released || this.#writeEnded || this.#discard) {
      return new ConnectionClosedError('connection is closed for writing');
    }
    return undefined;
  }

  /** A write that went asynchronous completed (they complete in order). */
  #writeCompleted(error: Error | null): void {
    if (this.#released) return; // the pending writes were completed when it was released
    this.#idle?.touch();
    const failure = error ? toConnectionError(error) : undefined;
    this.#writes?.streamCompleted(failure);
    if (failure) this.#fail(failure);
  }

  /** Completes every pending operation with `error`; later operations fail with it too. */
  #fail(error: Error): void {
    this.#error ??= error;
    this.#slot.fail(this.#error);
    this.#writes?.failAll(this.#error);
  }

  // ---- closing --------------------------------------------------------------

  /**
   * Idle past `idleTimeout` (the contract's rule): every pending and later
   * operation fails with `error`, and the socket closes as `close()` does —
   * FIN behind the output already handed over, linger, then reset.
   */
  #timedOut(error: IdleTimeoutError): void {
    this.#fail(error);
    if (!this.#discard) this.#beginClose();
  }

  #beginClose(): void {
    if (this.#slot.kind !== ReadKind.None) {
      this.#slot.fail(new ConnectionClosedError('socket closed while a read was pending'));
    }
    this.#discard = true;
    this.#queue.clear();
    if (this.#released) return;
    if (this.#eof && this.pendingWrites === 0 && this.#stream.pendingBytes === 0) {
      // The peer is done and the kernel has every byte: close(2) sends the FIN.
      this.#writeEnded = true;
      this.#release(false);
      return;
    }
    if (this.#installed !== STAGING && !this.#delivering) {
      // libuv would still read into a caller's buffer that is no longer ours:
      // stop reading, and release the socket once the output is flushed.
      this.#paused = true;
      this.#stream.readStop();
      this.#releaseAfterShutdown = true;
      if (this.#shutDone) {
        this.#release(false);
        return;
      }
    } else {
      this.#resume();
    }
    this.shutdownWrite();
    if (!this.#released) {
      this.#linger = setTimeout(() => this.abort(), this.#settings.lingerTimeout);
      this.#linger.unref();
    }
  }

  /** Closes the descriptor (`reset`: with RST). Pending operations complete with `ConnectionClosedError`. */
  #release(reset: boolean): void {
    if (this.#released) return;
    this.#released = true;
    this.#paused = true;
    if (this.#linger) clearTimeout(this.#linger);
    this.#idle?.stop();
    this.#owner?.delete(this);
    this.#owner = undefined;
    const resolve = this.#resolveClosing;
    const done = resolve && (() => resolve());
    if (reset) this.#stream.reset(done);
    else this.#stream.close(done);
    if (this.#slot.kind === ReadKind.None && this.pendingWrites === 0) return;
    // Not stored as the socket's error: after end of stream, reads still answer 0.
    const error = new ConnectionClosedError('connection closed');
    this.#slot.fail(error);
    this.#writes?.failAll(error);
  }
}
