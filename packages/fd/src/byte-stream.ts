// The byte stream the event-loop models drive a connection through: reads
// land in a buffer the owner chose, writes say whether they completed at
// once. Two implementations here: `HandleStream` (straight on the libuv
// handle, no stream machinery) and `SocketStream` (the public net.Socket
// API, the fallback); a third outside, `UringByteStream` of the optional
// `@iomodels/uring` (a descriptor driven through io_uring). The owner codes
// against this interface only.
import type { Address } from '@iomodels/contract/core';

/** Called when an asynchronous write completed: every byte handed to the kernel, or failed. */
export type WriteDone = (error: Error | null) => void;

/** What the stream tells its owner. Methods, so one object serves without closures. */
export interface ByteStreamListener {
  /**
   * `length` bytes were read into the start of `buffer`. The bytes stay
   * there only until this returns (the next read reuses the buffer); return
   * another Uint8Array to have the next read land in it instead.
   */
  onData(buffer: Uint8Array, length: number): Uint8Array | undefined;
  /** The peer sent FIN. Reading has stopped; writing still works (half-open). */
  onEnd(): void;
  /** Every write that did not complete at once has now completed. */
  onDrain(): void;
  /** A read or write failed (reset, broken pipe…). Once; the owner then closes the stream. */
  onError(error: Error): void;
}

/** One connected TCP stream. */
export interface ByteStream {
  /** `handle` (libuv handle, no net.Socket), `socket` (public API fallback) or `uring` (io_uring, `@iomodels/uring`). */
  readonly kind: 'handle' | 'socket' | 'uring';
  /** Bytes of writes that did not complete at once and are still queued (not yet in the kernel). */
  readonly pendingBytes: number;
  /** Whether reads are being delivered (false after `readStop`, end of stream or close). */
  readonly reading: boolean;
  readonly closed: boolean;
  /**
   * Hands `data` to the kernel. Returns `true` when every byte went at once
   * (`done` is then not called); otherwise the rest is queued, `done` is
   * called once it completes or fails, `onDrain` once nothing is pending.
   * Queued data must not be modified until then.
   */
  write(data: Uint8Array, done?: WriteDone): boolean;
  /** `write` for a string, encoded as UTF-8. */
  writeString(text: string, done?: WriteDone): boolean;
  /** Starts (or resumes) delivering reads. */
  readStart(): void;
  /** Stops reading: the kernel buffer fills and TCP pushes back on the peer. */
  readStop(): void;
  /** Sends FIN once queued writes are out; `done` when it went (or failed). */
  shutdown(done?: WriteDone): void;
  /** Closes the descriptor; queued writes fail. `done` once the handle is closed. Idempotent. */
  close(done?: () => void): void;
  /** Closes with RST instead of FIN (SO_LINGER 0): the peer sees ECONNRESET. */
  reset(done?: () => void): void;
  setNoDelay(enabled: boolean): void;
  setKeepAlive(enabled: boolean, initialDelayMs?: number): void;
  /** The peer's address (cached from the connection). */
  remote(): Address;
  /** Our end's address. */
  local(): Address;
}
