// A ByteStream straight on a socket's libuv handle, below net.Socket: reads
// land in the owner's buffer (the handle's user-buffer path, `onread`),
// writes go to `handle.writeBuffer` (libuv tries the write at once; only
// the unwritten rest is queued). No Readable/Writable state, no chunk
// allocated per read, no nextTick per write — the stream machinery is what
// made a plain `socket.pipe(socket)` the ceiling for the event-loop models.
//
// The internals used (all checked by `handleStreamProblem` first):
// `process.binding('stream_wrap')` for WriteWrap/ShutdownWrap request
// objects and the shared `streamBaseState` (read size, whether the last
// write went async), and on the handle `onread`,
// `useUserBuffer`, `readStart`/`readStop`, `writeBuffer`/`writeUtf8String`,
// `shutdown`, `close`, `reset`, `writeQueueSize`, and, on TCP handles only,
// `setNoDelay`/`setKeepAlive`/`getsockname` (a Unix socket's `Pipe` handle lacks them).
import type net from 'node:net';
import { TLSSocket } from 'node:tls';
import { getSystemErrorName } from 'node:util';
import { type Address, toAddress, unixAddress } from '@iomodels/contract/core';
import type { AcceptedHandle } from './accepted-handle.js';
import type { ByteStream, ByteStreamListener, WriteDone } from './byte-stream.js';
import { unsupported } from './runtime-check.js';

/** A libuv stream request object (WriteWrap / ShutdownWrap instance). */
interface Request {
  handle: unknown;
  oncomplete: (status: number) => void;
  // Keeps queued bytes alive while libuv holds a pointer into them.
  buffer?: Uint8Array | string;
  stream?: HandleStream;
  done?: WriteDone;
  async?: boolean;
}

/**
 * The libuv stream handle under `socket._handle` (internal, unstable): a
 * `TCP` handle, or a `Pipe` for a Unix socket, which has the same stream
 * methods but none of the TCP-only ones (`TCP_ONLY_METHODS`).
 */
interface StreamHandle {
  reading: boolean;
  onread: (this: StreamHandle) => unknown;
  writeQueueSize: number;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  readStop(): number;
  writeBuffer(req: Request, data: Uint8Array): number;
  writeUtf8String(req: Request, text: string): number;
  shutdown(req: Request): number;
  close(callback?: () => void): void;
  reset?(callback?: () => void): number;
  setNoDelay?(enabled: boolean): number;
  setKeepAlive?(enabled: boolean, delaySeconds: number): number;
  getsockname?(out: Record<string, unknown>): number;
}

interface StreamWrapBinding {
  WriteWrap: new () => Request;
  ShutdownWrap: new () => Request;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

const STREAM = Symbol('handleStream');
const HANDLE_METHODS = [
  'useUserBuffer',
  'readStart',
  'readStop',
  'writeBuffer',
  'writeUtf8String',
  'shutdown',
  'close',
] as const;
/** What a TCP handle has and a Unix `Pipe` handle lacks; called only where present. */
const TCP_ONLY_METHODS = ['setNoDelay', 'setKeepAlive', 'getsockname'] as const;

let binding: StreamWrapBinding | null = null;
let bindingProblem: string | undefined | null = null;

/** Loads the stream_wrap binding once; the reason it is unusable, or undefined. */
function loadBinding(): string | undefined {
  if (bindingProblem !== null) return bindingProblem;
  bindingProblem = undefined;
  try {
    // process.binding is deprecated (DEP0111, documentation-only) but keeps an
    // allow-list that includes stream_wrap on Node 20 and 24; no warning is
    // printed unless --pending-deprecation is set.
    const loaded = (process as unknown as { binding(name: string): unknown }).binding(
      'stream_wrap',
    ) as Partial<StreamWrapBinding>;
    if (typeof loaded.WriteWrap !== 'function' || typeof loaded.ShutdownWrap !== 'function') {
      bindingProblem = "process.binding('stream_wrap').WriteWrap / ShutdownWrap";
    } else if (
      !(loaded.streamBaseState instanceof Int32Array) ||
      typeof loaded.kReadBytesOrError !== 'number' ||
      typeof loaded.kLastWriteWasAsync !== 'number'
    ) {
      bindingProblem = "process.binding('stream_wrap').streamBaseState and its indices";
    } else {
      binding = loaded as StreamWrapBinding;
    }
  } catch {
    bindingProblem = "process.binding('stream_wrap')";
  }
  return bindingProblem;
}

/** Why `socket` cannot become a HandleStream on this runtime, or undefined. */
function handleProblem(socket: net.Socket | AcceptedHandle): string | undefined {
  const problem = loadBinding();
  if (problem) return problem;
  const handle = (socket as unknown as { _handle: unknown })._handle;
  if (handle === null || typeof handle !== 'object') return undefined; // a state error, not the runtime's
  const h = handle as Record<string, unknown>;
  for (const method of HANDLE_METHODS) {
    if (typeof h[method] !== 'function') return `socket._handle.${method}()`;
  }
  // A TCP handle must have all of them: a partial set means an unknown runtime.
  const tcpOnly = TCP_ONLY_METHODS.filter((method) => typeof h[method] === 'function');
  if (tcpOnly.length > 0 && tcpOnly.length < TCP_ONLY_METHODS.length) {
    const missing = TCP_ONLY_METHODS.find((method) => typeof h[method] !== 'function');
    return `socket._handle.${missing}()`;
  }
  // A client Pipe handle has no `reading` until it first reads (still unset in its 'connect' event).
  if (typeof h.reading !== 'boolean' && h.reading !== undefined) return 'socket._handle.reading';
  if (typeof h.writeQueueSize !== 'number') return 'socket._handle.writeQueueSize';
  return undefined;
}

// Error numbers libuv reports; resolved by name so no platform table is needed.
const UV_EOF = -4095;

function uvError(status: number, syscall: string): Error {
  const code = status === UV_EOF ? 'EOF' : getSystemErrorName(status);
  const error = new Error(`${syscall} ${code}`) as NodeJS.ErrnoException;
  error.code = code;
  error.errno = status;
  error.syscall = syscall;
  return error;
}

/**
 * A WriteWrap kept for the next write: a write that completes at once never
 * reaches libuv's queue, so its request object is free again and one serves
 * every such write. Only a write that went async keeps its own.
 */
let spareWrite: Request | null = null;

function takeWriteRequest(): Request {
  const req = spareWrite ?? new (binding as StreamWrapBinding).WriteWrap();
  spareWrite = null;
  return req;
}

/** Shared `onread` for every handle: `this` is the handle. */
function onHandleRead(this: StreamHandle): unknown {
  const stream = streamOn(this);
  if (stream === undefined) return undefined;
  return stream.handleRead((binding as StreamWrapBinding).streamBaseState);
}

/** Shared write completion: `this` is the request. */
function onWriteComplete(this: Request, status: number): void {
  const stream = this.stream as HandleStream;
  const done = this.done;
  this.buffer = undefined;
  this.stream = undefined;
  this.done = undefined;
  stream.writeCompleted(status, done);
}

/**
 * Takes the connection out of `socket` — accepted with
 * `net.createServer({ pauseOnConnect: true })` or as an `AcceptedHandle`, or
 * a client socket from its 'connect' event, in every case never read — and returns it as a
 * `HandleStream`. `socket` is destroyed without its handle (the descriptor
 * stays open, owned by the stream) and stops counting as its server's
 * connection: the owner tracks the stream. Reading starts at once into
 * `buffer`.
 *
 * Throws `UnsupportedRuntimeError` naming the missing internal, having
 * changed nothing, when this Node lacks one; a `TypeError` for a socket
 * {@link handleStreamRefusal} refuses.
 */
export function handleStream(
  socket: net.Socket | AcceptedHandle,
  listener: ByteStreamListener,
  buffer: Uint8Array,
): HandleStream {
  const problem = handleProblem(socket);
  if (problem) throw unsupported(problem);
  const refusal = handleStreamRefusal(socket);
  if (refusal) throw new TypeError(`handleStream: ${refusal}`);
  const owner = socket as unknown as { _handle: StreamHandle | null };
  const handle = owner._handle as StreamHandle;
  // The peer now: once the handle moves the socket cannot tell it. Only the
  // peer: our end's address is a getsockname(2) read when asked (`local()`).
  const remote = remoteOf(socket, handle);
  if (handle.reading) handle.readStop();
  owner._handle = null;
  // No handle any more: destroying only settles the socket's own state (and
  // takes it off its server's connection count).
  socket.destroy();
  const stream = new HandleStream(handle, listener, remote, buffer);
  // The stream is the handle's owner now; a net.Socket that was is let go.
  setStreamOn(handle, stream);
  handle.onread = onHandleRead;
  handle.useUserBuffer(buffer);
  stream.readStart();
  return stream;
}

/**
 * The peer of `socket`: its remote address (a PROXY header's client where
 * the server presented one on the socket), else, on a `Pipe` handle (no
 * getsockname), an unnamed Unix peer.
 */
function remoteOf(socket: net.Socket | AcceptedHandle, handle: StreamHandle): Address {
  if (!socket.remoteAddress && handle.getsockname === undefined) return unixAddress();
  return toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
}

/** Node's internal `owner_symbol` on handles, found once by its description. */
let ownerSymbol: symbol | undefined;

/**
 * Where the handle keeps its HandleStream: Node's internal `owner_symbol`
 * slot (found by its description), which every TCP and Pipe handle has from
 * its template — null on a bare accepted handle, its net.Socket otherwise.
 * Overwriting it also drops the back-pointer to the destroyed socket (its
 * Readable and Writable state, over a KiB, would live as long as the
 * connection), and a property of our own would grow the handle's
 * property array (40 -> 64 B) on every connection. Nothing else reads it once `onread`
 * and the request callbacks are ours. Our own symbol where the slot is absent.
 */
function streamKey(handle: StreamHandle): symbol {
  ownerSymbol ??= Object.getOwnPropertySymbols(handle).find(
    (symbol) => symbol.description === 'owner_symbol',
  );
  return ownerSymbol !== undefined && Object.hasOwn(handle, ownerSymbol) ? ownerSymbol : STREAM;
}

function setStreamOn(handle: StreamHandle, stream: HandleStream | undefined): void {
  (handle as unknown as Record<symbol, unknown>)[streamKey(handle)] = stream;
}

function streamOn(handle: StreamHandle): HandleStream | undefined {
  const slots = handle as unknown as Record<symbol, unknown>;
  const stream = (ownerSymbol !== undefined ? slots[ownerSymbol] : undefined) ?? slots[STREAM];
  return stream instanceof HandleStream ? stream : undefined;
}

/**
 * Why `socket`'s state keeps it from becoming a HandleStream — closed,
 * still connecting, or already read or written (its bytes are in the
 * socket's own buffers, not the handle's) — or `undefined` if it can.
 */
export function handleStreamRefusal(socket: net.Socket | AcceptedHandle): string | undefined {
  const handle = (socket as unknown as { _handle: unknown })._handle;
  if (socket.destroyed || handle === null || typeof handle !== 'object') {
    return 'the socket is closed (it has no libuv handle)';
  }
  if (socket.connecting) return 'the socket is still connecting; take it in its connect event';
  // Its descriptor carries ciphertext: only the TLSSocket's own stream has the plaintext.
  if (socket instanceof TLSSocket)
    return 'a TLS socket: its plaintext exists only above Node’s TLS layer';
  if (socket.readableLength > 0 || socket.bytesRead > 0 || socket.writableLength > 0) {
    return 'the socket has been used; take it from net.createServer({ pauseOnConnect: true }) or its connect event, before any read or write';
  }
  return undefined;
}

/** Whether `handleStream` can work on this runtime (checked once, no socket needed). */
export function handleStreamSupported(): boolean {
  return loadBinding() === undefined;
}

/** See {@link handleStream}. */
export class HandleStream implements ByteStream {
  /** A getter: no field per connection. */
  get kind(): 'handle' {
    return 'handle';
  }
  readonly #handle: StreamHandle;
  readonly #listener: ByteStreamListener;
  readonly #remote: Address;
  #reading = false;
  #ended = false;
  #closed = false;
  #failed = false;
  #pendingWrites = 0;
  /** Where libuv reads next (the handle's user buffer). */
  #readBuffer: Uint8Array;

  constructor(
    handle: StreamHandle,
    listener: ByteStreamListener,
    remote: Address,
    buffer: Uint8Array,
  ) {
    this.#handle = handle;
    this.#listener = listener;
    this.#remote = remote;
    this.#readBuffer = buffer;
  }

  get pendingBytes(): number {
    // libuv's count of queued bytes, which Node mirrors onto the handle after every write.
    return this.#closed ? 0 : this.#handle.writeQueueSize;
  }

  get reading(): boolean {
    return this.#reading;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** @internal The handle's read callback. Returns the next read buffer, if the listener changed it. */
  handleRead(state: Int32Array): unknown {
    const nread = state[(binding as StreamWrapBinding).kReadBytesOrError] as number;
    if (nread > 0) {
      if (!this.#reading) return undefined; // a read libuv had in hand when we stopped
      // The user-buffer path hands back no buffer: the bytes are in the one
      // the listener last chose. A buffer it returns is where libuv reads next.
      const next = this.#listener.onData(this.#readBuffer, nread);
      if (next !== undefined) this.#readBuffer = next;
      return next;
    }
    if (nread === 0) return undefined; // EAGAIN: nothing
    this.#reading = false;
    this.#handle.readStop();
    if (nread === UV_EOF) {
      this.#ended = true;
      this.#listener.onEnd();
    } else {
      this.#fail(uvError(nread, 'read'));
    }
    return undefined;
  }

  write(data: Uint8Array, done?: WriteDone): boolean {
    if (this.#closed) {
      done && queueMicrotask(() => done(uvError(-9 /* EBADF */, 'write')));
      return false;
    }
    const req = takeWriteRequest();
    req.handle = this.#handle;
    const status = this.#handle.writeBuffer(req, data);
    return this.#dispatched(req, status, data, done);
  }

  writeString(text: string, done?: WriteDone): boolean {
    if (this.#closed) {
      done && queueMicrotask(() => done(uvError(-9, 'write')));
      return false;
    }
    const req = takeWriteRequest();
    req.handle = this.#handle;
    const status = this.#handle.writeUtf8String(req, text);
    return this.#dispatched(req, status, text, done);
  }

  #dispatched(
    req: Request,
    status: number,
    data: Uint8Array | string,
    done: WriteDone | undefined,
  ): boolean {
    const state = (binding as StreamWrapBinding).streamBaseState;
    if (status !== 0) {
      spareWrite = req;
      const error = uvError(status, 'write');
      if (done) queueMicrotask(() => done(error));
      queueMicrotask(() => this.#fail(error));
      return false;
    }
    if (state[(binding as StreamWrapBinding).kLastWriteWasAsync] === 0) {
      spareWrite = req;
      return true;
    }
    // libuv queued the rest: this request is now libuv's until it completes.
    req.buffer = data;
    req.stream = this;
    req.done = done;
    req.oncomplete = onWriteComplete;
    this.#pendingWrites++;
    return false;
  }

  /** @internal A queued write finished (status < 0: failed, e.g. cancelled by close). */
  writeCompleted(status: number, done: WriteDone | undefined): void {
    this.#pendingWrites--;
    const error = status < 0 ? uvError(status, 'write') : null;
    done?.(error);
    if (error) this.#fail(error);
    else if (this.#pendingWrites === 0 && !this.#closed) this.#listener.onDrain();
  }

  readStart(): void {
    if (this.#reading || this.#ended || this.#closed) return;
    this.#reading = true;
    const status = this.#handle.readStart();
    if (status !== 0) {
      this.#reading = false;
      const error = uvError(status, 'read');
      queueMicrotask(() => this.#fail(error));
    }
  }

  readStop(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#handle.readStop();
  }

  shutdown(done?: WriteDone): void {
    if (this.#closed) {
      done && queueMicrotask(() => done(uvError(-9, 'shutdown')));
      return;
    }
    const req = new (binding as StreamWrapBinding).ShutdownWrap();
    req.handle = this.#handle;
    req.oncomplete = (status: number) => done?.(status < 0 ? uvError(status, 'shutdown') : null);
    const status = this.#handle.shutdown(req);
    if (status !== 0) {
      const error = uvError(status, 'shutdown');
      queueMicrotask(() => done?.(error));
    }
  }

  close(done?: () => void): void {
    if (this.#closed) {
      if (done) queueMicrotask(done);
      return;
    }
    this.#closed = true;
    this.#reading = false;
    this.#handle.close(() => {
      setStreamOn(this.#handle, undefined);
      done?.();
    });
  }

  reset(done?: () => void): void {
    const handle = this.#handle;
    if (this.#closed || typeof handle.reset !== 'function') {
      this.close(done);
      return;
    }
    this.#closed = true;
    this.#reading = false;
    const status = handle.reset(() => {
      setStreamOn(handle, undefined);
      done?.();
    });
    if (status !== 0) {
      this.#closed = false;
      this.close(done);
    }
  }

  /** A no-op on a Unix socket, which has no Nagle algorithm. */
  setNoDelay(enabled: boolean): void {
    if (!this.#closed) this.#handle.setNoDelay?.(enabled);
  }

  /** A no-op on a Unix socket, which has no keep-alive probes. */
  setKeepAlive(enabled: boolean, initialDelayMs = 0): void {
    if (!this.#closed) this.#handle.setKeepAlive?.(enabled, Math.floor(initialDelayMs / 1000));
  }

  remote(): Address {
    return this.#remote;
  }

  local(): Address {
    const out: Record<string, unknown> = {};
    // A Pipe handle cannot tell its path; the server that accepted it can.
    if (this.#handle.getsockname === undefined) return unixAddress();
    if (this.#closed || this.#handle.getsockname(out) !== 0) return toAddress('', 0, 'IPv4');
    return toAddress(out.address as string, out.port as number, out.family as string);
  }

  #fail(error: Error): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.readStop();
    this.#listener.onError(error);
  }
}
