// The one loop of the model: run a sweep, then schedule the next one — on the
// next event-loop turn after progress (and for a short spin after it), later
// and later (up to pollInterval) while nothing moves, not at all while
// nothing is pending.
import { nextPollDelay } from './poll-backoff.js';

/** What one sweep reports. */
export interface SweepResult {
  /** Bytes moved or a connection changed state. */
  readonly progress: boolean;
  /** Some connection still has a read or write to retry. */
  readonly pending: boolean;
}

/**
 * Schedules sweeps. It never spins inside one macrotask: even with
 * `pollInterval` 0 each sweep is its own `setImmediate`, so accepts, timers
 * and signals keep their turn on the event loop.
 */
export class SweepLoop {
  readonly #sweep: () => SweepResult;
  readonly #pollInterval: number;
  #delay = 0;
  #lastProgress = 0;
  #immediate: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(sweep: () => SweepResult, pollInterval: number) {
    this.#sweep = sweep;
    this.#pollInterval = pollInterval;
  }

  /** New work appeared: sweep on the next turn and restart the backoff. */
  wake(): void {
    this.#delay = 0;
    this.#lastProgress = performance.now();
    if (this.#immediate) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#immediate = setImmediate(this.#run);
  }

  /** Cancels the next sweep; `wake()` starts again. */
  stop(): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    if (this.#timer) clearTimeout(this.#timer);
    this.#immediate = undefined;
    this.#timer = undefined;
    this.#delay = 0;
  }

  readonly #run = (): void => {
    this.#immediate = undefined;
    this.#timer = undefined;
    const { progress, pending } = this.#sweep();
    // A sweep can wake the loop (a state change); then the next turn is already booked.
    if (this.#immediate) return;
    if (!pending) {
      this.#delay = 0;
      return;
    }
    const now = performance.now();
    if (progress) this.#lastProgress = now;
    this.#delay = nextPollDelay(
      this.#delay,
      progress,
      now - this.#lastProgress,
      this.#pollInterval,
    );
    if (this.#delay === 0) this.#immediate = setImmediate(this.#run);
    else this.#timer = setTimeout(this.#run, this.#delay);
  };
}
