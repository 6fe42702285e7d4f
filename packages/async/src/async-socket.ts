// A connected TCP socket whose reads and writes are posted operations that
// complete later (Boost.Asio's `ip::tcp::socket`). One read outstanding at a
// time; writes complete in the order they were posted.
import net from 'node:net';
import {
  type Address,
  ConnectionClosedError,
  ConnectionTimeoutError,
  DEFAULT_RECV_SIZE,
  IncompleteReadError,
  LineTooLongError,
  peerError,
  type Sendable,
  toAddress,
  toBytes,
  UnsupportedRuntimeError,
} from '@iomodels/contract';
import { probeUserBufferSocket, userBufferSocket } from '@iomodels/fd';
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
 * `native`: libuv reads straight into a buffer the socket hands it (Node's
 * user-buffer path, `onread`) — the caller's own buffer when a read is
 * already posted at that moment, else one read buffer every native socket
 * shares (the completion copies out of it at once). `emulated`: Node reads
 * into chunks it allocates and the completion copies into the caller's buffer.
 */
export type ReadPath = 'native' | 'emulated';

const DEFAULT_READ_AHEAD = 256 * 1024;
const DEFAULT_LINGER = 30_000;
const EMPTY = new Uint8Array(0);
const NEWLINE = new Uint8Array([0x0a]);
const decoder = new TextDecoder('utf-8');

/**
 * Where libuv reads for every native socket that has no caller's buffer
 * installed. Shared: each read is consumed (completed or copied out) inside
 * its callback, before libuv reads into it again for any socket — libuv
 * reads one socket at a time on this thread.
 */
const SHARED: Buffer = Buffer.allocUnsafeSlow(DEFAULT_RECV_SIZE);

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
  readonly seq: number;
  readonly length: number;
  readonly signal: AbortSignal | undefined;
  resolve: ((n: number) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
  callback: CompletionCallback<number> | undefined;
  onAbort: (() => void) | undefined;
}

/**
 * A proactor socket. Every operation comes in two forms: it returns a
 * Promise, or — given a callback as its last argument — returns nothing and
 * calls `callback(error, result)` on completion. Every operation takes an
 * `AbortSignal`; a socket error completes every pending operation with that
 * error. Build one with `Proactor.connect`, `Proactor.accept` or
 * `Proactor.adopt`.
 */
export class AsyncSocket implements AsyncIterable<Uint8Array>, AsyncDisposable {
  /** The Node socket underneath (for options such as `setNoDelay`; do not read from it). */
  readonly socket: net.Socket;
  /** Whether reads use Node's user-buffer path on this socket; see {@link ReadPath}. */
  readonly readPath: ReadPath;

  readonly #readAhead: number;
  readonly #lingerTimeout: number;
  // Received bytes no read has taken yet; every entry is owned by the queue.
  #queue: Uint8Array[] = [];
  #queueBytes = 0;
  #paused = false;
  #eof = false;
  #error: Error | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  #discard = false;

  // The one outstanding read (fields, not an object: no allocation per read).
  #readBusy = false;
  #read: Read = Read.None;
  #readBuffer: Uint8Array = EMPTY;
  #readMax = 0;
  #readResolve: ((value: never) => void) | undefined;
  #readReject: ((error: Error) => void) | undefined;
  #readCallback: CompletionCallback<never> | undefined;
  #readSignal: AbortSignal | undefined;

  // Writes: Node completes them in order; #writesDone counts its callbacks.
  #writes: PendingWrite[] = [];
  #writesIssued = 0;
  #writesDone = 0;

  // Native path only: what libuv reads into next (SHARED or the caller's buffer).
  #installed: Uint8Array = SHARED;

  /**
   * @internal Use `Proactor`. A `native` socket is created without its
   * `net.Socket` (`connectAsyncSocket`, `acceptAsyncSocket` attach it).
   */
  constructor(socket: net.Socket | undefined, options: AsyncSocketOptions = {}, native = false) {
    this.#readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    this.#lingerTimeout = options.lingerTimeout ?? DEFAULT_LINGER;
    this.readPath = native ? 'native' : 'emulated';
    this.socket = socket as net.Socket;
    if (socket) this.#attach(options);
  }

  /** The peer's address. */
  get remote(): Address {
    const s = this.socket;
    return toAddress(s.remoteAddress, s.remotePort, s.remoteFamily);
  }

  /** This end's address. */
  get local(): Address {
    const s = this.socket;
    return toAddress(s.localAddress, s.localPort, s.localFamily);
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
    return this.#closed;
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
   * caller owns (empty at end of stream). On the emulated path this is the
   * chunk Node read, handed over without a copy.
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
   * @internal The portable connection's read: up to `maxBytes` in a chunk the
   * caller owns — the chunk itself when bytes are queued or the stream has
   * ended (empty), else a Promise of it.
   */
  receiveNow(maxBytes: number): Uint8Array | Promise<Uint8Array> {
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    if (!this.#readBusy && this.#queueBytes > 0) return this.#takeChunk(maxBytes);
    if (!this.#readBusy && this.#eof && !this.#error) return EMPTY;
    return this.#postRead(Read.Chunk, EMPTY, maxBytes, undefined, undefined)!;
  }

  /** Hands `bytes` to Node; true if the write completed inside the call. */
  #post(bytes: Uint8Array): boolean {
    ++this.#writesIssued;
    const socket = this.socket;
    socket.write(bytes, this.#onWriteDone);
    // The kernel took every byte inside that call: the write has completed.
    // (Only with nothing ahead of it: completions are delivered in order.)
    return socket.writableLength === 0 && !socket.destroyed && this.#writes.length === 0;
  }

  #pendingWrite(
    length: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<number> | undefined,
  ): Promise<number> | undefined {
    const seq = this.#writesIssued;
    const op: PendingWrite = {
      seq,
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
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  /**
   * Graceful close: the pending read completes with `ConnectionClosedError`,
   * posted writes still go out, then FIN; input is discarded until the peer
   * closes too (closing with unread input would make the kernel send RST),
   * or until `lingerTimeout`, when the connection is reset. Resolves once the
   * socket is released. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    const socket = this.socket;
    this.#closing = socket.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => socket.once('close', () => resolve()));
    this.#failRead(new ConnectionClosedError('socket closed while a read was pending'));
    this.#discard = true;
    this.#queue = [];
    this.#queueBytes = 0;
    if (this.#installed !== SHARED) {
      // libuv would still read into a caller's buffer that is no longer ours:
      // stop reading, and release the socket once the output is flushed.
      socket.pause();
      socket.destroySoon();
    } else {
      this.#resume();
      this.shutdownWrite();
    }
    if (!socket.destroyed) {
      const timer = setTimeout(() => this.abort(), this.#lingerTimeout);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    }
    return this.#closing;
  }

  /**
   * Resets the connection (RST) now; every pending operation completes with
   * `reason` (default: `ConnectionClosedError`).
   */
  abort(reason: Error = new ConnectionClosedError('connection aborted on this side')): void {
    this.#fail(reason);
    const socket = this.socket;
    if (socket.destroyed) return;
    if (socket.connecting || !socket.remoteAddress) socket.destroy();
    else socket.resetAndDestroy();
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

  // ---- wiring -------------------------------------------------------------

  /** @internal Attaches the listeners; for native sockets, after `net.connect` returned. */
  attach(socket: net.Socket, options: AsyncSocketOptions): void {
    (this as { socket: net.Socket }).socket = socket;
    this.#attach(options);
  }

  #attach(options: AsyncSocketOptions): void {
    const socket = this.socket;
    if (this.readPath === 'emulated') socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    if (options.idleTimeout) {
      socket.setTimeout(options.idleTimeout);
      socket.on('timeout', () => {
        const error = new ConnectionTimeoutError(
          `connection idle for ${options.idleTimeout} ms; closed`,
        );
        this.#fail(error);
        socket.destroy();
      });
    }
  }

  /** @internal The `onread` pair for `net.connect` (native path). */
  userBufferHooks(): { buffer: () => Uint8Array; callback: (n: number, b: Uint8Array) => boolean } {
    return { buffer: this.#nextTarget, callback: this.#onNativeRead };
  }

  // Called by Node before each read of the native path: where libuv reads
  // next. The caller's buffer only if a read into it is already posted, has
  // nothing queued ahead of it, and cannot be cancelled — once installed, the
  // target cannot be swapped until bytes land in it.
  #nextTarget = (): Uint8Array => {
    const target =
      this.#read === Read.Into &&
      !this.#discard &&
      this.#readSignal === undefined &&
      this.#queueBytes === 0 &&
      this.#readBuffer.length > 0
        ? this.#readBuffer
        : SHARED;
    this.#installed = target;
    return target;
  };

  #onNativeRead = (n: number, buffer: Uint8Array): boolean => {
    if (this.#discard) return true;
    if (buffer === SHARED && this.#queueBytes === 0) {
      // The common cases, copied out of the shared buffer with no view made.
      if (this.#read === Read.Chunk && n <= this.#readMax) {
        const out = Buffer.allocUnsafe(n);
        SHARED.copy(out, 0, 0, n);
        this.#completeRead(out);
        return true;
      }
      if (this.#read === Read.Into && n <= this.#readBuffer.length) {
        SHARED.copy(this.#readBuffer, 0, 0, n);
        this.#completeRead(n);
        return true;
      }
    }
    if (buffer !== SHARED) {
      if (this.#read === Read.Into && buffer === this.#readBuffer) {
        // Bytes landed in the caller's buffer: the read is done, no copy.
        this.#completeRead(n);
        return true;
      }
      // Not reachable by the rules of #nextTarget; never lose bytes anyway.
      this.#arrive(buffer.subarray(0, n), true);
      return true;
    }
    // The shared buffer: #arrive copies out whatever it keeps.
    this.#arrive(buffer.subarray(0, n), true);
    if (this.#queueBytes >= this.#readAhead) {
      this.#paused = true;
      return false;
    }
    return true;
  };

  #onData = (chunk: Buffer): void => {
    if (this.#discard) return;
    this.#arrive(chunk, false);
    if (this.#queueBytes >= this.#readAhead && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  };

  /**
   * Bytes arrived: serve the pending read, queue the rest. A `transient`
   * chunk lives in a buffer libuv reads into again: what is kept is copied.
   */
  #arrive(chunk: Uint8Array, transient: boolean): void {
    const length = chunk.length;
    if (this.#read === Read.Wait) {
      this.#enqueue(transient ? copyOf(chunk) : chunk);
      this.#completeRead(undefined);
      return;
    }
    if (this.#queueBytes === 0) {
      switch (this.#read) {
        case Read.Into: {
          const n = copyInto(this.#readBuffer, chunk, length);
          if (n < length) {
            const rest = chunk.subarray(n);
            this.#enqueue(transient ? copyOf(rest) : rest);
          }
          this.#completeRead(n);
          return;
        }
        case Read.Chunk: {
          const max = this.#readMax;
          if (length > max) {
            const rest = chunk.subarray(max);
            this.#enqueue(transient ? copyOf(rest) : rest);
            const head = chunk.subarray(0, max);
            this.#completeRead(transient ? copyOf(head) : head);
          } else {
            this.#completeRead(transient ? copyOf(chunk) : chunk);
          }
          return;
        }
        default:
      }
    }
    this.#enqueue(transient ? copyOf(chunk) : chunk);
  }

  #onEnd = (): void => {
    this.#eof = true;
    if (this.#read === Read.Wait) this.#completeRead(undefined);
    else if (this.#read !== Read.None && this.#queueBytes === 0) {
      this.#completeRead(
        this.#read === Read.Into ? 0 : this.#read === Read.Chunk ? EMPTY : undefined,
      );
    }
  };

  #onError = (error: Error): void => {
    this.#fail(peerError(error));
  };

  #onClose = (): void => {
    this.#closed = true;
    // Not stored as the socket's error: after end of stream, reads still answer 0.
    const error = new ConnectionClosedError('connection closed');
    this.#failRead(error);
    const writes = this.#writes;
    this.#writes = [];
    for (const op of writes) settleWrite(op, error);
  };

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
    if (this.#closed || this.#closing) {
      return fail(new ConnectionClosedError('socket is closed'), callback);
    }
    if (kind === Read.Into && buffer.length === 0) return succeed(0 as T, callback);
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
    this.#readSignal = signal;
    signal?.addEventListener('abort', this.#onReadAbort, { once: true });
  }

  #onReadAbort = (): void => {
    const signal = this.#readSignal;
    if (!signal || this.#read === Read.None) return;
    this.#finishRead(abortReason(signal), undefined);
  };

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
    if (this.#read !== Read.Wait) this.#readBusy = false;
    this.#read = Read.None;
    this.#readBuffer = EMPTY;
    this.#readResolve = undefined;
    this.#readReject = undefined;
    this.#readCallback = undefined;
    this.#readSignal = undefined;
    signal?.removeEventListener('abort', this.#onReadAbort);
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
    if (this.#paused && this.#queueBytes < this.#readAhead) this.#resume();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.socket.destroyed) this.socket.resume();
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
    if (this.#closed || this.#closing) {
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
    const socket = this.socket;
    if (this.#closed || socket.destroyed || socket.writableEnded) {
      return new ConnectionClosedError('connection is closed for writing');
    }
    return undefined;
  }

  #onWriteDone = (error?: Error | null): void => {
    const done = ++this.#writesDone;
    const writes = this.#writes;
    // Node reports writes cut off by a destroyed socket as successes; they are not.
    const failure = error
      ? peerError(error)
      : this.socket.destroyed
        ? (this.#error ?? new ConnectionClosedError('connection closed before the write completed'))
        : undefined;
    while (writes.length > 0 && writes[0]!.seq <= done) {
      const op = writes.shift()!;
      settleWrite(op, failure);
    }
    if (failure) this.#fail(failure);
  };

  #cancelWrite(op: PendingWrite): void {
    const index = this.#writes.indexOf(op);
    if (index === -1) return;
    this.#writes.splice(index, 1);
    settleWrite(op, abortReason(op.signal!));
  }

  /** Completes every pending operation with `error`; later operations fail with it too. */
  #fail(error: Error): void {
    this.#error ??= error;
    this.#failRead(this.#error);
    const writes = this.#writes;
    this.#writes = [];
    for (const op of writes) settleWrite(op, this.#error);
  }
}

/**
 * Opens a client connection whose reads use Node's user-buffer path
 * (`onread`): the socket's one reusable buffer, or the caller's own.
 * @internal Used by `Proactor.connect`.
 */
export function connectAsyncSocket(
  target: net.TcpNetConnectOpts,
  options: AsyncSocketOptions,
): AsyncSocket {
  const owner = new AsyncSocket(undefined, options, true);
  const socket = net.connect({ ...target, allowHalfOpen: true, onread: owner.userBufferHooks() });
  owner.attach(socket, options);
  return owner;
}

/**
 * Takes over a connection a `net.Server` accepted. With `native` (the
 * server was created with `pauseOnConnect: true` after
 * {@link userBufferSupport} said yes) the connection moves onto Node's
 * user-buffer read path (`userBufferSocket` from `packages/fd`: the accepted
 * libuv handle goes into a `net.Socket` built with `onread`). Otherwise, or
 * if this socket cannot be moved, its reads are emulated.
 * @internal Used by `Proactor` and `ProactorTCPServer`.
 */
export function acceptAsyncSocket(
  socket: net.Socket,
  options: AsyncSocketOptions,
  native: boolean,
): AsyncSocket {
  if (native && !socket.destroyed) {
    const owner = new AsyncSocket(undefined, options, true);
    let moved: net.Socket | undefined;
    try {
      moved = userBufferSocket(socket, owner.userBufferHooks());
    } catch (error) {
      // Refused before anything changed: the public path below still works.
      if (!UnsupportedRuntimeError.isInstance(error) && !(error instanceof TypeError)) throw error;
    }
    if (moved) {
      owner.attach(moved, options);
      return owner;
    }
  }
  const owner = new AsyncSocket(socket, options);
  socket.resume(); // a pauseOnConnect socket is not flowing yet
  return owner;
}

let support: Promise<string | undefined> | undefined;

/**
 * Whether accepted sockets can take the user-buffer read path on this
 * runtime: `undefined` if so, else the reason (the capability check of
 * `packages/fd`, one loopback connection, once per process).
 * @internal
 */
export function userBufferSupport(): Promise<string | undefined> {
  if (support === undefined) {
    support = probeUserBufferSocket().then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  }
  return support;
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

/** A copy the caller owns: a Buffer (Node's writes take it as is) from Node's pool. */
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
