// The portable Connection over an AsyncSocket: each `recv` is a posted read,
// each `sendall` posted writes, with the contract's hard cap on unsent output.
import {
  type Address,
  type Awaitable,
  type Connection,
  DEFAULT_RECV_SIZE,
  type Limits,
  type Sendable,
  SendStallWatch,
  toBytes,
} from '@iomodels/contract';
import type { AsyncSocket, ReadPath } from './async-socket.js';

/** Largest single posted write. */
const WRITE_PIECE = 64 * 1024;
/** The tail of a send queue nothing was ever queued on (one for every connection). */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * What a handler on `ProactorTCPServer` talks through. `sendall` resolves
 * when the kernel has every byte, so the handler's own buffer is never held
 * past the call; a large `sendall` keeps at most `maxUnsentBytes` of it in
 * flight. Output that makes no progress for `sendStallTimeout` resets the
 * connection with `SendStalledError`.
 */
export class ProactorConnection implements Connection {
  readonly #socket: AsyncSocket;
  readonly #limits: Limits;
  #sending = false;
  #sendTail: Promise<void> = SETTLED;
  /** Made when a write first stays pending; most connections never need one. */
  #stall: SendStallWatch | undefined;

  constructor(socket: AsyncSocket, limits: Limits) {
    this.#socket = socket;
    this.#limits = limits;
  }

  get remote(): Address {
    return this.#socket.remote;
  }

  get local(): Address {
    return this.#socket.local;
  }

  /** How the socket's reads reach memory: `native` (straight on the libuv handle) or `emulated`. */
  get readPath(): ReadPath {
    return this.#socket.readPath;
  }

  /**
   * A posted read of up to `maxBytes`, in a chunk the handler owns; empty at
   * end of stream, and — as with the contract's `SocketConnection` — once
   * this side has closed or aborted the connection (e.g. the server's
   * shutdown). Returns the chunk itself, not a Promise, when bytes were
   * already queued or the stream had ended (awaiting a plain value is legal
   * in the contract).
   */
  recv(maxBytes = DEFAULT_RECV_SIZE): Awaitable<Uint8Array> {
    return this.#socket.receiveNow(maxBytes);
  }

  /**
   * Posted writes of every byte. Returns `undefined`, not a Promise, when
   * the kernel took every byte inside the call.
   */
  sendall(data: Sendable): Awaitable<void> {
    const bytes = toBytes(data);
    if (
      !this.#sending &&
      bytes.length <= WRITE_PIECE &&
      bytes.length <= this.#limits.maxUnsentBytes
    ) {
      // The hot path: one posted write; no Promise at all when it completed at once.
      const written = this.#socket.writeNow(bytes);
      if (written === undefined) return undefined;
      this.#watchPosted();
      return written as Promise<unknown> as Promise<void>;
    }
    return this.#sendPieces(bytes);
  }

  shutdownWrite(): void {
    this.#socket.shutdownWrite();
  }

  close(): void {
    this.#stall?.stop();
    // FIN after the queued output; the socket is released when the peer
    // closes too, or reset after `limits.lingerTimeout`.
    this.#socket.closeSoon();
  }

  /** Large or concurrent sends, one after another, at most `maxUnsentBytes` in flight. */
  async #sendPieces(bytes: Uint8Array): Promise<void> {
    const previous = this.#sendTail;
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.#sendTail = mine;
    this.#sending = true;
    try {
      await previous;
      const cap = this.#limits.maxUnsentBytes;
      const piece = Math.min(WRITE_PIECE, cap);
      const inFlight: Array<Promise<number>> = [];
      let inFlightBytes = 0;
      let offset = 0;
      do {
        const chunk = bytes.subarray(offset, offset + piece);
        offset += chunk.length;
        const written = this.#socket.write(chunk);
        written.catch(() => {}); // awaited below, in order
        inFlight.push(written);
        inFlightBytes += chunk.length;
        this.#watchPosted();
        while (inFlightBytes > cap - piece && inFlight.length > 0) {
          inFlightBytes -= await inFlight.shift()!;
        }
      } while (offset < bytes.length);
      for (const written of inFlight) await written;
    } finally {
      release();
      if (this.#sendTail === mine) this.#sending = false;
    }
  }

  /**
   * A write was posted and stays pending: the contract's stall watch counts
   * pending writes, and one posted while watching as queued, so completed
   * writes read as progress.
   */
  #watchPosted(): void {
    const socket = this.#socket;
    if (socket.pendingWrites === 0) return;
    this.#stall ??= new SendStallWatch(
      this.#limits.sendStallTimeout,
      () => (socket.closed ? 0 : socket.pendingWrites),
      (error) => socket.abort(error),
    );
    if (this.#stall.armed) this.#stall.queued(1);
    else this.#stall.arm();
  }
}
