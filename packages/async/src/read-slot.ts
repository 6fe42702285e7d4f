// The one outstanding read of an AsyncSocket: what it wants, where its bytes
// go, and how it completes (Promise or callback, cancellable by a signal).
// Reused fields, not an object per read: a posted read allocates its Promise only.
import { ConnectionClosedError, ReadInProgressError } from '@iomodels/contract';
import { abortReason, type CompletionCallback } from './completion.js';

const EMPTY = new Uint8Array(0);

/** The refusal of a second read while one is outstanding. */
export function readInProgress(): ReadInProgressError {
  return new ReadInProgressError(
    'a read is already outstanding on this socket: post the next read from its completion',
  );
}

/** What the outstanding read wants. */
export const ReadKind = {
  None: 0,
  /** `read(buffer)`: bytes into the caller's buffer, result = count. */
  Into: 1,
  /** `receive(max)`: a fresh chunk the caller owns. */
  Chunk: 2,
  /** A composed read waits for more bytes in the queue; result = nothing. */
  Wait: 3,
} as const;
/** One of {@link ReadKind}. */
export type ReadKind = (typeof ReadKind)[keyof typeof ReadKind];
/** The kinds a caller posts (`Wait` is the composed reads' own). */
export type PostedReadKind = typeof ReadKind.Into | typeof ReadKind.Chunk;

/**
 * The read slot. The socket reads `kind`, `buffer`, `max` and `signal` on
 * every delivery (plain fields: one load each); only the slot writes them.
 * `busy` is held for a whole composed read, across its waits.
 */
export class ReadSlot {
  /** A read (or composed read) is outstanding: a second one is refused. */
  busy = false;
  kind: ReadKind = ReadKind.None;
  /** The caller's buffer of an `Into` read (else empty). */
  buffer: Uint8Array = EMPTY;
  /** Most bytes a `Chunk` read takes. */
  max = 0;
  /** The signal that may cancel the read: bytes must not land in its buffer directly. */
  signal: AbortSignal | undefined;
  /** The portable connection's read: this side closing the connection reads as end of stream. */
  portable = false;
  #resolve: ((value: never) => void) | undefined;
  #reject: ((error: Error) => void) | undefined;
  #callback: CompletionCallback<never> | undefined;
  /** Made on the first signal, then reused. */
  #onAbort: (() => void) | undefined;

  /** Makes a read outstanding; its Promise, or `undefined` in the callback form. */
  arm<T>(
    kind: PostedReadKind,
    buffer: Uint8Array,
    max: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<T> | undefined,
  ): Promise<T> | undefined {
    this.busy = true;
    this.kind = kind;
    this.buffer = buffer;
    this.max = max;
    this.#callback = callback as CompletionCallback<never> | undefined;
    if (signal) this.#watch(signal);
    if (callback) return undefined;
    const promise = new Promise<T>(capture);
    this.#resolve = captured.resolve;
    this.#reject = captured.reject;
    return promise;
  }

  /** A composed read (which holds `busy`) waits until `complete` or `fail`. */
  wait(signal: AbortSignal | undefined): Promise<void> {
    this.kind = ReadKind.Wait;
    if (signal) this.#watch(signal);
    const promise = new Promise<void>(capture);
    this.#resolve = captured.resolve;
    this.#reject = captured.reject;
    return promise;
  }

  /** Completes the outstanding read with `value`. */
  complete(value: unknown): void {
    this.#finish(null, value);
  }

  /** Completes the outstanding read, if any, with `error`. */
  fail(error: Error): void {
    if (this.kind !== ReadKind.None) this.#finish(error, undefined);
  }

  #watch(signal: AbortSignal): void {
    this.signal = signal;
    this.#onAbort ??= () => {
      const current = this.signal;
      if (current && this.kind !== ReadKind.None) this.#finish(abortReason(current), undefined);
    };
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Clears the slot first, so the completion may post the next read. */
  #finish(error: Error | null, value: unknown): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    const callback = this.#callback;
    const signal = this.signal;
    if (this.portable) {
      this.portable = false;
      if (error !== null && ConnectionClosedError.isInstance(error)) {
        error = null;
        value = EMPTY;
      }
    }
    if (this.kind !== ReadKind.Wait) this.busy = false;
    this.kind = ReadKind.None;
    this.buffer = EMPTY;
    this.#resolve = undefined;
    this.#reject = undefined;
    this.#callback = undefined;
    if (signal) {
      this.signal = undefined;
      signal.removeEventListener('abort', this.#onAbort!);
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
