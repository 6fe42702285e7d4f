// A connected TCP socket whose reads and writes are posted operations that
// complete later (Boost.Asio's `ip::tcp::socket`). One read outstanding at a
// time; writes complete in the order they were posted. Underneath is an
// `@iomodels/fd` ByteStream: straight on the libuv handle where the runtime
// allows (`native`), the public net.Socket API otherwise (`emulated`).
import type net from 'node:net';
import {
  type Address,
  ConnectionClosedError,
  ConnectionTimeoutError,
  DEFAULT_RECV_SIZE,
  IncompleteReadError,
  LineTooLongError,
  peerError,
  type Sendable,
  toBytes,
} from '@iomodels/contract';
import {
  type ByteStream,
  type ByteStreamListener,
  byteStreamOf,
  handleStreamSupported,
} from '@iomodels/fd';
import {
  abortReason,
  type CompletionCallback,
  type OperationOptions,
  splitArgs,
  toCallback,
} from './completion.js';
import { ReadInProgressError } from './read-in-progress-error.js';

/** Per-socket settings. Sizes in bytes, durations in milliseconds. */
export interface AsyncSocketOptions {
  /**
   * Most bytes received ahead of any posted read before the socket stops
   * reading from the kernel (back-pressure through TCP). Default 256 KiB.
   */
  readonly readAhead?: number;
  /** Fail every pending operation with `ConnectionTimeoutError` after this long without traffic. 0 = never (default). */
  readonly idleTimeout?: number;
  /** How long `close()` waits for the peer's FIN before it resets the connection. Default 30 s. */
  readonly lingerTimeout?: number;
}

/**
 * How a socket's reads reach the caller's buffer.
 * `native`: the connection runs straight on its libuv handle (`@iomodels/fd`
 * HandleStream, no net.Socket): libuv reads into the caller's own buffer
 * when a read into it is already posted at that moment, else into one
 * staging buffer every socket shares (the completion copies out of it at
 * once). `emulated`: the public net.Socket API (`@iomodels/fd`
 * SocketStream): Node reads into chunks it allocates, which are copied into
 * the caller's buffer.
 */
export type ReadPath = 'native' | 'emulated';

/** @internal The settings, resolved once per proactor. */
export interface SocketSettings {
  readonly readAhead: number;
  readonly idleTimeout: number;
  readonly lingerTimeout: number;
}

/** @internal */
export function resolveSettings(options: AsyncSocketOptions = {}): SocketSettings {
  return {
    readAhead: options.readAhead ?? 256 * 1024,
    idleTimeout: options.idleTimeout ?? 0,
    lingerTimeout: options.lingerTimeout ?? 30_000,
  };
}

const EMPTY = new Uint8Array(0);
const NEWLINE = new Uint8Array([0x0a]);
const decoder = new TextDecoder('utf-8');

/**
 * Where libuv reads for every socket that has no caller's buffer installed.
 * Shared: each read is consumed (completed or copied out) inside its
 * callback, before libuv reads into it again for any socket — libuv reads
 * one socket at a time on this thread. An idle socket holds no read buffer.
 */
const SHARED: Buffer = Buffer.allocUnsafeSlow(DEFAULT_RECV_SIZE);

/** The start of SHARED as a view, kept while reads keep the same length (no view made per read). */
let stagedView: Uint8Array = SHARED.subarray(0, 0);
function staged(length: number): Uint8Array {
  if (stagedView.length !== length) stagedView = SHARED.subarray(0, length);
  return stagedView;
}

// What the outstanding read wants.
const Read = {
  None: 0,
  /** `read(buffer)`: bytes into the caller's buffer, result = count. */
  Into: 1,
  /** `receive(max)`: a fresh chunk the caller owns. */
  Chunk: 2,
  /** A composed operation waits for more bytes in the queue. */
  Wait: 3,
} as const;
type Read = (typeof Read)[keyof typeof Read];

interface PendingWrite {
  /** Completes once this many writes that went asynchronous have completed. */
  readonly seq: number;
  readonly length: number;
  readonly signal: AbortSignal | undefined;
  resolve: ((n: number) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
  callback: CompletionCallback<number> | undefined;
  onAbort: (() => void) | undefined;
}

/** Why accepted sockets are not on the native path, when one was not (first reason seen). */
let fallbackReason: string | undefined;

/**
 * A proactor socket. Every operation comes in two forms: it returns a
 * Promise, or — given a callback as its last argument — returns nothing and
 * calls `callback(error, result)` on completion. Every operation takes an
 * `AbortSignal`; a socket error completes every pending operation with that
 * error. Build one with `Proactor.connect`, `Proactor.accept` or
 * `Proactor.adopt`.
 */
export class AsyncSocket implements AsyncIterable<Uint8Array>, AsyncDisposable, ByteStreamListener {
  /** How reads reach memory on this socket; see {@link ReadPath}. */
  readonly readPath: ReadPath;

  readonly #stream: ByteStream;
  readonly #settings: SocketSettings;
  // Received bytes no read has taken yet; every entry is owned by the queue.
  #queue: Uint8Array[] = [];
  #queueBytes = 0;
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

  // The one outstanding read (fields, not an object: no allocation per read).
  #readBusy = false;
  #read: Read = Read.None;
  #readBuffer: Uint8Array = EMPTY;
  #readMax = 0;
  /** The portable connection's read: closed on this side = end of stream. */
  #readPortable = false;
  #readResolve: ((value: never) => void) | undefined;
  #readReject: ((error: Error) => void) | undefined;
  #readCallback: CompletionCallback<never> | undefined;
  #readSignal: AbortSignal | undefined;
  #onReadAbort: (() => void) | undefined;

  // Writes that did not complete at once, in order; the stream completes
  // those in order, one `#onWriteDone` call each.
  #writes: PendingWrite[] = [];
  #asyncIssued = 0;
  #asyncDone = 0;
  #writesDone = 0;
  #onWriteDone: ((error: Error | null) => void) | undefined;

  /** What libuv reads into next: SHARED or the caller's buffer. */
  #installed: Uint8Array = SHARED;
  /** Reads and writes seen, for the idle timer. */
  #activity = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  /**
   * @internal Use `Proactor`. Takes `socket` (accepted with
   * `pauseOnConnect`, or connected, and never read) onto the libuv handle
   * with `prefer: 'handle'` where the runtime allows, else (or with
   * `'socket'`) over its public API.
   */
  constructor(socket: net.Socket, settings: SocketSettings, prefer: 'handle' | 'socket') {
    this.#settings = settings;
    this.#stream = streamOf(socket, this, prefer);
    this.readPath = this.#stream.kind === 'handle' ? 'native' : 'emulated';
    // A socket closed before it was taken over (e.g. while waiting for an accept).
    if (this.#stream.closed) this.#release(false);
    else if (settings.idleTimeout > 0) this.#startIdleTimer(settings.idleTimeout);
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
    return this.#writes.length;
  }

  /** Writes completed since the socket opened (handed to the kernel, or failed). */
  get completedWrites(): number {
    return this.#writesDone;
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
    return this.#postRead(Read.Into, buffer, buffer.length, signal, callback);
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
    return this.#postRead(Read.Chunk, EMPTY, maxBytes, signal, callback);
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
    return this.#pendingWrite(bytes.length, signal, callback);
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
    return this.#pendingWrite(bytes.length, undefined, undefined);
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
    if (!this.#readBusy) {
      if (this.#queueBytes > 0) return this.#takeChunk(maxBytes);
      const error = this.#error;
      if (error !== undefined && !ConnectionClosedError.isInstance(error)) {
        return Promise.reject(error);
      }
      if (this.#eof || error !== undefined || this.#released || this.#discard) return EMPTY;
    } else {
      return this.#postRead<Uint8Array>(Read.Chunk, EMPTY, maxBytes, undefined, undefined)!;
    }
    // Nothing can complete it at once now (checked above): it is posted.
    this.#readPortable = true;
    return this.#arm<Uint8Array>(Read.Chunk, EMPTY, maxBytes, undefined, undefined)!;
  }

  /** Hands `bytes` to the stream; true if the write completed inside the call. */
  #post(bytes: Uint8Array): boolean {
    this.#activity++;
    let done = this.#onWriteDone;
    if (done === undefined) {
      // Made on the first write, not per socket: an idle connection holds no closure.
      done = (error) => this.#writeCompleted(error);
      this.#onWriteDone = done;
    }
    if (!this.#stream.write(bytes, done)) {
      ++this.#asyncIssued;
      return false;
    }
    // The kernel took every byte inside that call: the write has completed.
    // (A stream never completes a write at once behind queued ones; if it
    // did, the completion would still wait for theirs, in order.)
    if (this.#writes.length > 0) return false;
    this.#writesDone++;
    return true;
  }

  #pendingWrite(
    length: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<number> | undefined,
  ): Promise<number> | undefined {
    const op: PendingWrite = {
      seq: this.#asyncIssued,
      length,
      signal,
      resolve: undefined,
      reject: undefined,
      callback,
      onAbort: undefined,
    };
    if (signal) {
      op.onAbort = () => this.#cancelWrite(op);
      signal.addEventListener('abort', op.onAbort, { once: true });
    }
    this.#writes.push(op);
    if (callback) return undefined;
    return new Promise<number>((resolve, reject) => {
      op.resolve = resolve;
      op.reject = reject;
    });
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
    return composed(
      this.#composed(signal, () => this.#readExactly(n, signal)),
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
    return composed(
      this.#composed(signal, async () => {
        const found = await this.#readUntil(delim, maxBytes, signal);
        if (typeof found === 'number') {
          throw new IncompleteReadError(this.#takeFront(found), found + delim.length);
        }
        return found;
      }),
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
    return composed(
      this.#composed(signal, async () => {
        const found = await this.#readUntil(NEWLINE, maxLength + 2, signal);
        if (typeof found === 'number') {
          return found === 0 ? null : decoder.decode(this.#takeFront(found));
        }
        let end = found.length - 1;
        if (end > 0 && found[end - 1] === 0x0d) end--;
        if (end > maxLength) throw new LineTooLongError(`line longer than ${maxLength} bytes`);
        return decoder.decode(found.subarray(0, end));
      }),
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
    this.#activity++;
    if (this.#discard) return this.#nextTarget();
    this.#delivering = true;
    try {
      this.#deliver(buffer, length);
      return this.#nextTarget();
    } finally {
      this.#delivering = false;
    }
  }

  #deliver(buffer: Uint8Array, length: number): void {
    if (buffer === SHARED) {
      if (this.#queueBytes === 0) {
        // The common cases, copied out of the staging buffer with no view made.
        const read = this.#read;
        if (read === Read.Chunk && length <= this.#readMax) {
          const out = Buffer.allocUnsafe(length);
          out.set(staged(length));
          this.#completeRead(out);
          return;
        }
        if (read === Read.Into && length <= this.#readBuffer.length) {
          this.#readBuffer.set(staged(length));
          this.#completeRead(length);
          return;
        }
      }
      this.#arrive(staged(length));
    } else if (this.#read === Read.Into && buffer === this.#readBuffer) {
      // Bytes landed in the caller's buffer: the read is done, no copy.
      this.#completeRead(length);
    } else {
      // Not reachable by the rules of #nextTarget; never lose bytes anyway.
      this.#arrive(buffer.subarray(0, length));
    }
    if (this.#queueBytes >= this.#settings.readAhead && !this.#paused) {
      // Nobody is reading: let the kernel buffer fill and TCP push back.
      this.#paused = true;
      this.#stream.readStop();
    }
  }

  /** @internal The peer sent FIN. */
  onEnd(): void {
    this.#eof = true;
    if (!this.#discard) {
      if (this.#read === Read.Wait) this.#completeRead(undefined);
      else if (this.#read !== Read.None && this.#queueBytes === 0) {
        this.#completeRead(
          this.#read === Read.Into ? 0 : this.#read === Read.Chunk ? EMPTY : undefined,
        );
      }
    }
    // Both directions done (as net.Socket does with allowHalfOpen): release the descriptor.
    if (this.#shutDone) this.#release(false);
  }

  /** @internal Every write that went asynchronous has completed (their callbacks say so). */
  onDrain(): void {}

  /** @internal A read or write failed: every pending operation completes with the error. */
  onError(error: Error): void {
    this.#fail(peerError(error));
    this.#release(false);
  }

  #nextTarget(): Uint8Array | undefined {
    const target =
      this.#read === Read.Into &&
      this.#readSignal === undefined &&
      this.#queueBytes === 0 &&
      this.#readBuffer.length > 0 &&
      !this.#discard
        ? this.#readBuffer
        : SHARED;
    if (target === this.#installed) return undefined;
    this.#installed = target;
    return target;
  }

  /** Bytes arrived in the staging buffer: serve the pending read, queue (a copy of) the rest. */
  #arrive(chunk: Uint8Array): void {
    const length = chunk.length;
    if (this.#read === Read.Wait) {
      this.#enqueue(copyOf(chunk));
      this.#completeRead(undefined);
      return;
    }
    if (this.#queueBytes === 0) {
      switch (this.#read) {
        case Read.Into: {
          const n = copyInto(this.#readBuffer, chunk, length);
          if (n < length) this.#enqueue(copyOf(chunk.subarray(n)));
          this.#completeRead(n);
          return;
        }
        case Read.Chunk: {
          const max = this.#readMax;
          if (length > max) {
            this.#enqueue(copyOf(chunk.subarray(max)));
            this.#completeRead(copyOf(chunk.subarray(0, max)));
          } else {
            this.#completeRead(copyOf(chunk));
          }
          return;
        }
        default:
      }
    }
    this.#enqueue(copyOf(chunk));
  }

  // ---- closing --------------------------------------------------------------

  #beginClose(): void {
    if (this.#read !== Read.None) {
      this.#failRead(new ConnectionClosedError('socket closed while a read was pending'));
    }
    this.#discard = true;
    this.#queue = [];
    this.#queueBytes = 0;
    if (this.#released) return;
    if (this.#eof && this.#writes.length === 0 && this.#stream.pendingBytes === 0) {
      // The peer is done and the kernel has every byte: close(2) sends the FIN.
      this.#writeEnded = true;
      this.#release(false);
      return;
    }
    if (this.#installed !== SHARED && !this.#delivering) {
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
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    this.#owner?.delete(this);
    this.#owner = undefined;
    const resolve = this.#resolveClosing;
    const done = resolve && (() => resolve());
    if (reset) this.#stream.reset(done);
    else this.#stream.close(done);
    const writes = this.#writes;
    if (this.#read === Read.None && writes.length === 0) return;
    // Not stored as the socket's error: after end of stream, reads still answer 0.
    const error = new ConnectionClosedError('connection closed');
    this.#failRead(error);
    if (writes.length > 0) {
      this.#writes = [];
      for (const op of writes) this.#settleWrite(op, error);
    }
  }

  #startIdleTimer(idleTimeout: number): void {
    const period = Math.max(1, Math.floor(idleTimeout / 4));
    let seen = this.#activity;
    let quietFor = 0;
    this.#idleTimer = setInterval(() => {
      if (this.#activity !== seen) {
        seen = this.#activity;
        quietFor = 0;
        return;
      }
      quietFor += period;
      if (quietFor < idleTimeout) return;
      this.#fail(new ConnectionTimeoutError(`connection idle for ${idleTimeout} ms; closed`));
      this.#release(false);
    }, period);
    this.#idleTimer.unref();
  }

  // ---- reads --------------------------------------------------------------

  #postRead<T>(
    kind: typeof Read.Into | typeof Read.Chunk,
    buffer: Uint8Array,
    max: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<T> | undefined,
  ): Promise<T> | undefined {
    if (this.#readBusy) {
      return fail(
        new ReadInProgressError(
          'a read is already outstanding on this socket: post the next read from its completion',
        ),
        callback,
      );
    }
    if (signal?.aborted) return fail(abortReason(signal), callback);
    // Served at once from queued bytes, or by end of stream / a stored error.
    if (this.#queueBytes > 0) {
      const result = kind === Read.Into ? this.#takeInto(buffer, 0) : this.#takeChunk(max);
      return succeed(result as T, callback);
    }
    if (this.#error) return fail(this.#error, callback);
    if (this.#eof) return succeed((kind === Read.Into ? 0 : EMPTY) as T, callback);
    if (this.#released || this.#discard) {
      return fail(new ConnectionClosedError('socket is closed'), callback);
    }
    if (kind === Read.Into && buffer.length === 0) return succeed(0 as T, callback);
    return this.#arm(kind, buffer, max, signal, callback);
  }

  /** Makes the read outstanding: the caller has checked that nothing completes it at once. */
  #arm<T>(
    kind: typeof Read.Into | typeof Read.Chunk,
    buffer: Uint8Array,
    max: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<T> | undefined,
  ): Promise<T> | undefined {
    this.#readBusy = true;
    this.#read = kind;
    this.#readBuffer = buffer;
    this.#readMax = max;
    this.#readCallback = callback as CompletionCallback<never> | undefined;
    if (signal) this.#watch(signal);
    if (this.#paused) this.#resume();
    if (callback) return undefined;
    const promise = new Promise<T>(capture);
    this.#readResolve = captured.resolve as (value: never) => void;
    this.#readReject = captured.reject;
    return promise;
  }

  #watch(signal: AbortSignal | undefined): void {
    if (!signal) return;
    this.#readSignal = signal;
    this.#onReadAbort ??= () => {
      const current = this.#readSignal;
      if (current && this.#read !== Read.None) this.#finishRead(abortReason(current), undefined);
    };
    signal.addEventListener('abort', this.#onReadAbort, { once: true });
  }

  #completeRead(value: unknown): void {
    this.#finishRead(null, value);
  }

  #failRead(error: Error): void {
    if (this.#read !== Read.None) this.#finishRead(error, undefined);
  }

  /** Clears the slot first, so the completion may post the next read. */
  #finishRead(error: Error | null, value: unknown): void {
    const resolve = this.#readResolve;
    const reject = this.#readReject;
    const callback = this.#readCallback;
    const signal = this.#readSignal;
    if (this.#readPortable) {
      this.#readPortable = false;
      // The contract's recv: this side closing the connection is end of stream.
      if (error !== null && ConnectionClosedError.isInstance(error)) {
        error = null;
        value = EMPTY;
      }
    }
    if (this.#read !== Read.Wait) this.#readBusy = false;
    this.#read = Read.None;
    this.#readBuffer = EMPTY;
    this.#readResolve = undefined;
    this.#readReject = undefined;
    this.#readCallback = undefined;
    if (signal) {
      this.#readSignal = undefined;
      signal.removeEventListener('abort', this.#onReadAbort!);
    }
    if (callback) {
      if (error) callback(error);
      else callback(null, value as never);
    } else if (error) {
      reject?.(error);
    } else {
      resolve?.(value as never);
    }
  }

  #enqueue(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#queue.push(chunk);
    this.#queueBytes += chunk.length;
  }

  /** Copies queued bytes into `buffer` from `offset`; returns how many. */
  #takeInto(buffer: Uint8Array, offset: number): number {
    let at = offset;
    while (at < buffer.length && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const n = copyInto(buffer.subarray(at), head, head.length);
      at += n;
      this.#consume(head, n);
    }
    this.#afterTake();
    return at - offset;
  }

  /** Up to `max` queued bytes as a chunk the caller owns. */
  #takeChunk(max: number): Uint8Array {
    const head = this.#queue[0]!;
    const n = Math.min(max, head.length);
    const out = n === head.length ? head : head.subarray(0, n);
    this.#consume(head, n);
    this.#afterTake();
    return out;
  }

  /** The first `n` queued bytes, copied out. */
  #takeFront(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.#takeInto(out, 0);
    return out;
  }

  #consume(head: Uint8Array, n: number): void {
    this.#queueBytes -= n;
    if (n === head.length) this.#queue.shift();
    else this.#queue[0] = head.subarray(n);
  }

  #afterTake(): void {
    if (this.#paused && this.#queueBytes < this.#settings.readAhead) this.#resume();
  }

  #resume(): void {
    if (!this.#paused || this.#released) return;
    this.#paused = false;
    this.#stream.readStart();
  }

  // ---- composed reads -----------------------------------------------------

  /** Holds the read slot for the whole composed operation. */
  async #composed<T>(signal: AbortSignal | undefined, body: () => Promise<T>): Promise<T> {
    if (this.#readBusy) {
      throw new ReadInProgressError(
        'a read is already outstanding on this socket: post the next read from its completion',
      );
    }
    if (signal?.aborted) throw abortReason(signal);
    this.#readBusy = true;
    try {
      return await body();
    } finally {
      this.#readBusy = false;
    }
  }

  /** Resolves when more bytes than the queue holds now arrived, or the stream ended; rejects on error, close or abort. */
  #waitForData(signal: AbortSignal | undefined): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#eof) return Promise.resolve();
    if (this.#released || this.#discard) {
      return Promise.reject(new ConnectionClosedError('socket is closed'));
    }
    this.#read = Read.Wait;
    this.#watch(signal);
    this.#resume();
    return new Promise<void>((resolve, reject) => {
      this.#readResolve = resolve as (value: never) => void;
      this.#readReject = reject;
    });
  }

  async #readExactly(n: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const out = new Uint8Array(n);
    let have = 0;
    try {
      for (;;) {
        have += this.#takeInto(out, have);
        if (have === n) return out;
        if (this.#eof && this.#queueBytes === 0) {
          throw new IncompleteReadError(out.slice(0, have), n);
        }
        await this.#waitForData(signal);
      }
    } catch (error) {
      // Cancelled or failed: the bytes taken so far go back, nothing is lost.
      if (have > 0 && !IncompleteReadError.isInstance(error)) this.#unshift(out.subarray(0, have));
      throw error;
    }
  }

  /**
   * The bytes through the first `delimiter`, or — at end of stream without
   * one — the number of bytes left queued. Overrun leaves the bytes queued.
   */
  async #readUntil(
    delimiter: Uint8Array,
    maxBytes: number,
    signal: AbortSignal | undefined,
  ): Promise<Uint8Array | number> {
    let scanned = 0;
    for (;;) {
      const flat = this.#flatten();
      const at = indexOf(flat, delimiter, Math.max(0, scanned - delimiter.length + 1));
      if (at !== -1 && at + delimiter.length <= maxBytes) {
        return this.#takeFront(at + delimiter.length);
      }
      if (at !== -1 || flat.length >= maxBytes) {
        throw new LineTooLongError(`no delimiter within ${maxBytes} bytes`);
      }
      scanned = flat.length;
      if (this.#eof) return flat.length;
      await this.#waitForData(signal);
    }
  }

  /** Merges the queue into one owned chunk (composed reads only). */
  #flatten(): Uint8Array {
    if (this.#queue.length === 0) return EMPTY;
    if (this.#queue.length === 1) return this.#queue[0]!;
    const merged = new Uint8Array(this.#queueBytes);
    let at = 0;
    for (const chunk of this.#queue) {
      merged.set(chunk, at);
      at += chunk.length;
    }
    this.#queue = [merged];
    return merged;
  }

  #unshift(bytes: Uint8Array): void {
    this.#queue.unshift(bytes.slice());
    this.#queueBytes += bytes.length;
  }

  // ---- writes -------------------------------------------------------------

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
    this.#activity++;
    const done = ++this.#asyncDone;
    const writes = this.#writes;
    const failure = error ? peerError(error) : undefined;
    while (writes.length > 0 && writes[0]!.seq <= done) {
      this.#settleWrite(writes.shift()!, failure);
    }
    if (failure) this.#fail(failure);
  }

  #cancelWrite(op: PendingWrite): void {
    const index = this.#writes.indexOf(op);
    if (index === -1) return;
    this.#writes.splice(index, 1);
    this.#settleWrite(op, abortReason(op.signal!));
  }

  #settleWrite(op: PendingWrite, error: Error | undefined): void {
    this.#writesDone++;
    settleWrite(op, error);
  }

  /** Completes every pending operation with `error`; later operations fail with it too. */
  #fail(error: Error): void {
    this.#error ??= error;
    this.#failRead(this.#error);
    const writes = this.#writes;
    if (writes.length === 0) return;
    this.#writes = [];
    for (const op of writes) this.#settleWrite(op, this.#error);
  }
}

/** The ByteStream for `socket`: handle-level with `prefer: 'handle'` where fd allows it, else the public API. */
function streamOf(
  socket: net.Socket,
  listener: ByteStreamListener,
  prefer: 'handle' | 'socket',
): ByteStream {
  return byteStreamOf(socket, listener, SHARED, prefer, noteFallback);
}

/** Remembers the first reason a socket stayed on the public API, for `handlePathProblem`. */
function noteFallback(reason: string): void {
  fallbackReason ??= reason;
}

/**
 * Why accepted sockets do not run straight on their libuv handle here:
 * `undefined` when they do (the capability check of `packages/fd`), else
 * the reason.
 * @internal
 */
export function handlePathProblem(): string | undefined {
  if (!handleStreamSupported()) {
    return "the handle-level ByteStream of @iomodels/fd is unsupported on this runtime (process.binding('stream_wrap'))";
  }
  return fallbackReason;
}

function settleWrite(op: PendingWrite, error: Error | undefined): void {
  if (op.onAbort) op.signal?.removeEventListener('abort', op.onAbort);
  if (op.callback) {
    if (error) op.callback(error);
    else op.callback(null, op.length);
  } else if (error) {
    op.reject?.(error);
  } else {
    op.resolve?.(op.length);
  }
}

/** Takes a new Promise's resolving functions without a closure per Promise. */
const captured: {
  resolve: ((value: never) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
} = { resolve: undefined, reject: undefined };
function capture(resolve: (value: never) => void, reject: (error: Error) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/**
 * Completes an operation that finished at once — never inside the call that
 * started it; in a microtask, like a promise reaction, so both forms keep one order.
 */
function succeed<T>(value: T, callback: CompletionCallback<T> | undefined): Promise<T> | undefined {
  if (!callback) return Promise.resolve(value);
  queueMicrotask(() => callback(null, value));
  return undefined;
}

function fail<T>(
  error: Error,
  callback: CompletionCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return Promise.reject(error);
  queueMicrotask(() => callback(error));
  return undefined;
}

function composed<T>(
  promise: Promise<T>,
  callback: CompletionCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return promise;
  toCallback(promise, callback);
  return undefined;
}

/** A copy the caller owns: a Buffer (the streams write it as is) from Node's pool. */
function copyOf(view: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(view.length);
  out.set(view, 0);
  return out;
}

function copyInto(target: Uint8Array, source: Uint8Array, length: number): number {
  const n = Math.min(target.length, length);
  if (n === length) target.set(source, 0);
  else target.set(source.subarray(0, n), 0);
  return n;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.length === 1) return haystack.indexOf(needle[0]!, from);
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(needle, from);
}
