// The send-stall rule, once for every model: output that makes no progress
// for `limits.sendStallTimeout` while something is pending means the peer
// stopped reading (or vanished); the connection is aborted with
// `SendStalledError` instead of holding its buffers forever.
import { SendStalledError } from './errors.js';
import { QuietTimer } from './quiet-timer.js';

/**
 * Watches one connection's pending output. The model `arm()`s it when output
 * backs up (a write did not complete at once), and reports progress either
 * way it knows it: `progressed()` when a write completed or bytes went out,
 * or — for a model that only sees a pending count — through `unsentBytes`
 * decreasing (then `queued(n)` for bytes added while armed, so a steady
 * stream is not mistaken for a stall). It disarms itself when `unsentBytes()`
 * reads 0, and fires `onStall` once, with the error to abort with, when
 * nothing progressed for `stallTimeout` ms. No timer runs while disarmed.
 */
export class SendStallWatch {
  readonly #stallTimeout: number;
  readonly #unsentBytes: () => number;
  readonly #onStall: (error: SendStalledError) => void;
  #timer: QuietTimer | undefined;
  /** Bytes unsent when armed, plus bytes queued since: minus `unsentBytes()`, what went out. */
  #queued = 0;
  #progress = 0;
  #fired = false;

  constructor(
    /** `limits.sendStallTimeout`, ms. */
    stallTimeout: number,
    /** Output still pending (bytes, or any count that is 0 when nothing is). */
    unsentBytes: () => number,
    onStall: (error: SendStalledError) => void,
  ) {
    this.#stallTimeout = stallTimeout;
    this.#unsentBytes = unsentBytes;
    this.#onStall = onStall;
  }

  /** True while output is pending and watched. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Output is pending: start watching, unless already watching (or fired). */
  arm(): void {
    if (this.#timer !== undefined || this.#fired) return;
    this.#queued = this.#unsentBytes();
    this.#timer = new QuietTimer(
      this.#stallTimeout,
      () => this.#sign(),
      () => this.#stalled(),
    );
  }

  /** `bytes` more were queued while armed (for progress inferred from `unsentBytes`). */
  queued(bytes: number): void {
    if (this.#timer !== undefined) this.#queued += bytes;
  }

  /** Output made progress (a write completed, bytes reached the kernel). */
  progressed(): void {
    this.#progress++;
  }

  /** Nothing pending any more, or the connection ended. Idempotent; `arm()` may follow. */
  stop(): void {
    this.#timer?.stop();
    this.#timer = undefined;
  }

  /** Grows whenever output moved; `undefined` (disarm) once nothing is pending. */
  #sign(): number | undefined {
    const unsent = this.#unsentBytes();
    if (unsent === 0) {
      this.#timer = undefined;
      return undefined;
    }
    // What went out since arming, plus the completions reported: both only grow.
    return this.#queued - unsent + this.#progress;
  }

  #stalled(): void {
    this.#timer = undefined;
    this.#fired = true;
    const unsent = this.#unsentBytes();
    this.#onStall(
      new SendStalledError(
        `peer read nothing for ${this.#stallTimeout} ms with output pending (${unsent}); connection aborted`,
      ),
    );
  }
}
