// A function scheduled for later (Twisted's DelayedCall). The scheduler that
// made it — the Reactor or the test Clock — owns the timer; this object owns
// the state and tells the scheduler about cancel and reset.
import { AlreadyCalledError, AlreadyCancelledError } from './errors.js';

/** Internal: how a scheduler runs a call. Not exported from the package. */
export const RUN_CALL = Symbol('runDelayedCall');

/** Hooks a scheduler gives each call it creates. */
export interface DelayedCallScheduler {
  seconds(): number;
  cancelled(call: DelayedCall): void;
  rescheduled(call: DelayedCall): void;
}

/**
 * A pending call, returned by `callLater`. `active()` until it runs or is
 * cancelled; `cancel`, `reset` and `delay` on an inactive call throw
 * `AlreadyCalledError` / `AlreadyCancelledError`, as in Twisted.
 */
export class DelayedCall {
  #time: number;
  readonly #fn: () => void;
  readonly #scheduler: DelayedCallScheduler;
  #called = false;
  #cancelled = false;

  constructor(time: number, fn: () => void, scheduler: DelayedCallScheduler) {
    this.#time = time;
    this.#fn = fn;
    this.#scheduler = scheduler;
  }

  /** When the call is due, in the scheduler's seconds. */
  getTime(): number {
    return this.#time;
  }

  /** True until the call ran or was cancelled. */
  active(): boolean {
    return !this.#called && !this.#cancelled;
  }

  /** True once the call ran. */
  get called(): boolean {
    return this.#called;
  }

  /** True once the call was cancelled. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Unschedules the call. */
  cancel(): void {
    this.#checkActive();
    this.#cancelled = true;
    this.#scheduler.cancelled(this);
  }

  /** Reschedules the call to run `secondsFromNow` from now. */
  reset(secondsFromNow: number): void {
    this.#checkActive();
    this.#time = this.#scheduler.seconds() + secondsFromNow;
    this.#scheduler.rescheduled(this);
  }

  /** Pushes the call `secondsLater` further (negative: sooner). */
  delay(secondsLater: number): void {
    this.#checkActive();
    this.#time += secondsLater;
    this.#scheduler.rescheduled(this);
  }

  /** Internal: marks the call as run and runs it. Errors propagate to the scheduler. */
  [RUN_CALL](): void {
    if (!this.active()) return;
    this.#called = true;
    this.#fn();
  }

  #checkActive(): void {
    if (this.#cancelled) throw new AlreadyCancelledError('delayed call was cancelled');
    if (this.#called) throw new AlreadyCalledError('delayed call already ran');
  }
}
