// Writes that did not complete inside the call that posted them, completed
// in the order they were posted. The stream completes the writes it took
// asynchronously in order, one callback each; this counts those callbacks
// and settles every waiting write they cover. No IO.
import { abortReason, type CompletionCallback } from './completion.js';

interface PendingWrite {
  /** Completes once this many asynchronous writes have completed. */
  readonly seq: number;
  readonly length: number;
  readonly signal: AbortSignal | undefined;
  resolve: ((n: number) => void) | undefined;
  reject: ((error: Error) => void) | undefined;
  callback: CompletionCallback<number> | undefined;
  onAbort: (() => void) | undefined;
}

/** The list of every socket with no write waiting, never written to: an idle socket keeps no array. */
const NONE_PENDING = Object.freeze([]) as unknown as PendingWrite[];

/** The socket's posted writes still waiting for completion, oldest first. */
export class OrderedWrites {
  #pending: PendingWrite[] = NONE_PENDING;
  /** Writes the stream took asynchronously (it calls back once for each). */
  #issued = 0;
  /** Of those, how many the stream has completed. */
  #streamDone = 0;
  /** Writes completed, every way: at once, later, failed or cancelled. */
  #completed = 0;

  /** Writes posted and not yet completed. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Writes completed since the socket opened (handed to the kernel, or failed). */
  get completed(): number {
    return this.#completed;
  }

  /** The stream took a write asynchronously: it will complete it later, in order. */
  issued(): void {
    ++this.#issued;
  }

  /** A write completed inside the call that posted it. */
  completedAtOnce(): void {
    this.#completed++;
  }

  /**
   * Waits for the write just handed to the stream (and every one before
   * it): its Promise, or `undefined` in the callback form. Cancelling stops
   * the wait, not the bytes.
   */
  add(
    length: number,
    signal: AbortSignal | undefined,
    callback: CompletionCallback<number> | undefined,
  ): Promise<number> | undefined {
    const op: PendingWrite = {
      seq: this.#issued,
      length,
      signal,
      resolve: undefined,
      reject: undefined,
      callback,
      onAbort: undefined,
    };
    if (signal) {
      op.onAbort = () => this.#cancel(op);
      signal.addEventListener('abort', op.onAbort, { once: true });
    }
    if (this.#pending.length === 0) this.#pending = [op];
    else this.#pending.push(op);
    if (callback) return undefined;
    return new Promise<number>((resolve, reject) => {
      op.resolve = resolve;
      op.reject = reject;
    });
  }

  /** The stream completed its oldest asynchronous write (`error`: it failed): settles the writes it covers. */
  streamCompleted(error: Error | undefined): void {
    const done = ++this.#streamDone;
    // this.#pending read each turn: a completion may post a write onto a fresh list.
    while (this.#pending.length > 0 && this.#pending[0]!.seq <= done) {
      this.#settle(this.#pending.shift()!, error);
    }
    if (this.#pending.length === 0) this.#pending = NONE_PENDING;
  }

  /** Completes every waiting write with `error`. */
  failAll(error: Error): void {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = NONE_PENDING;
    for (const op of pending) this.#settle(op, error);
  }

  #cancel(op: PendingWrite): void {
    const index = this.#pending.indexOf(op);
    if (index === -1) return;
    this.#pending.splice(index, 1);
    this.#settle(op, abortReason(op.signal!));
  }

  #settle(op: PendingWrite, error: Error | undefined): void {
    this.#completed++;
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
}
