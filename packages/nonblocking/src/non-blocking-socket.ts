// NonBlockingSocket: Python's `sock.setblocking(False)`. recv and send are
// one read(2) / write(2) each on an O_NONBLOCK descriptor; when the kernel
// has nothing to give or no room to take, they return WOULD_BLOCK at once.
import net from 'node:net';
import {
  type Address,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  peerAddress,
  resetSocket,
  socketAddresses,
} from '@iomodels/contract';
import {
  type AcceptedHandle,
  descriptorOf,
  WOULD_BLOCK as EAGAIN,
  setBlocking,
  socketOf,
  tryRead,
  tryWrite,
} from '@iomodels/fd';

/**
 * What `recv` and `send` return instead of waiting: the kernel answered
 * `EAGAIN` / `EWOULDBLOCK`. Compare with `===`.
 */
// The same symbol as @iomodels/fd's, typed here so that the published types
// do not name that private package.
export const WOULD_BLOCK: unique symbol = EAGAIN as never;
/** The type of {@link WOULD_BLOCK}. */
export type WouldBlock = typeof WOULD_BLOCK;

const EMPTY = new Uint8Array(0);

/**
 * One scratch buffer for every `recv` on this thread: `recv` reads into it
 * and returns a copy of what arrived, so no socket owns 64 KiB of its own.
 */
const scratch = Buffer.allocUnsafe(DEFAULT_RECV_SIZE);

/**
 * A TCP socket in non-blocking mode, at the level of `read(2)`/`write(2)`.
 *
 * Nothing here waits: `recv` returns data, an empty array at end of stream,
 * or {@link WOULD_BLOCK}; `send` returns how many bytes the kernel took (maybe
 * fewer than offered) or {@link WOULD_BLOCK}. The caller decides when to ask
 * again — that is the model.
 *
 * Wrap only a socket libuv is not reading (accepted by a server created with
 * `pauseOnConnect: true`, or a bare accepted handle), or libuv and `recv`
 * race for the same bytes. The `net.Socket` or handle keeps owning the
 * descriptor: `close`/`abort` release it through Node, exactly once.
 */
export class NonBlockingSocket {
  readonly remote: Address;
  /** A bare handle until a half-close or reset needs a net.Socket's (libuv's shutdown and RST). */
  #socket: net.Socket | AcceptedHandle;
  #local: Address | undefined;
  readonly #fd: number;
  #closed = false;
  #writeShut = false;

  /** Sets `O_NONBLOCK` on the socket's descriptor (libuv already does; this makes it explicit). */
  constructor(socket: net.Socket | AcceptedHandle) {
    this.#socket = socket;
    this.#fd = descriptorOf(socket);
    setBlocking(socket, false);
    // Errors surface as return values or throws of recv/send; a late one
    // from libuv (shutdown on a reset socket) must not crash the process.
    socket.on('error', () => {});
    this.remote = peerAddress(socket);
  }

  /** This end's address: a getsockname(2) on first use (most handlers never ask), kept while open. */
  get local(): Address {
    if (this.#local !== undefined) return this.#local;
    const { local } = socketAddresses(this.#socket);
    if (!this.#closed) this.#local = local;
    return local;
  }

  /** The descriptor (Python's `fileno()`); meaningless once closed. */
  fileno(): number {
    return this.#fd;
  }

  /** True after `close()` or `abort()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * One `read(2)` of at most `maxBytes` (and at most 64 KiB): a copy of the
   * bytes read, an empty array at end of stream, or `WOULD_BLOCK` when
   * nothing has arrived. A reset peer throws `ConnectionResetError`.
   */
  recv(maxBytes = DEFAULT_RECV_SIZE): Uint8Array | WouldBlock {
    if (!(maxBytes >= 1)) throw new RangeError(`recv: maxBytes must be >= 1, got ${maxBytes}`);
    const n = this.recvInto(scratch, 0, Math.min(maxBytes, scratch.length));
    if (n === WOULD_BLOCK) return WOULD_BLOCK;
    if (n === 0) return EMPTY;
    return Buffer.from(scratch.subarray(0, n));
  }

  /** One `read(2)` into `buffer[offset, offset + length)`: a count, 0 at end of stream, or `WOULD_BLOCK`. */
  recvInto(buffer: Uint8Array, offset = 0, length = buffer.length - offset): number | WouldBlock {
    this.#checkOpen();
    const n = tryRead(this.#fd, buffer, offset, length);
    return n === EAGAIN ? WOULD_BLOCK : n;
  }

  /**
   * One `write(2)` of `data[offset, offset + length)`: the count the kernel
   * took — possibly fewer than offered (a partial write) — or `WOULD_BLOCK`
   * when the send buffer is full. A vanished peer throws `ConnectionResetError`.
   */
  send(data: Uint8Array, offset = 0, length = data.length - offset): number | WouldBlock {
    this.#checkOpen();
    if (this.#writeShut) throw new ConnectionClosedError('socket is shut down for writing');
    const n = tryWrite(this.#fd, data, offset, length);
    return n === EAGAIN ? WOULD_BLOCK : n;
  }

  /** Half-close: FIN to the peer (`shutdown(SHUT_WR)`, done by libuv); `recv` keeps working. Idempotent. */
  shutdownWrite(): void {
    if (this.#closed || this.#writeShut) return;
    this.#writeShut = true;
    this.#asSocket().end();
  }

  /** Releases the descriptor through Node (`close(2)` by libuv). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
  }

  /** Resets the connection (RST) and releases the descriptor. Idempotent. */
  abort(): void {
    if (this.#closed) return;
    this.#closed = true;
    resetSocket(this.#asSocket());
  }

  /** The net.Socket over the descriptor, made from the bare handle on first need (rare: FIN before close, RST). */
  #asSocket(): net.Socket {
    const socket = this.#socket;
    // net.Socket, not AcceptedHandle, is the test: fd's class is bundled, one copy per package.
    if (socket instanceof net.Socket) return socket;
    const made = socketOf(socket);
    made.on('error', () => {});
    this.#socket = made;
    return made;
  }

  #checkOpen(): void {
    if (this.#closed) throw new ConnectionClosedError('socket is closed');
  }
}
