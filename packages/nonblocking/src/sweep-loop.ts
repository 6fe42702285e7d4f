// The one loop of the model: run a sweep, then schedule the next one — on the
// next event-loop turn after progress (and for a short spin after it), later
// and later (up to pollInterval) while nothing moves, not at all while
// nothing is pending.
import { nextPollDelay } from './poll-backoff.js';

/**
 * Most event-loop turns a sweep waits for while connections keep arriving.
 * libuv accepts one connection per turn (strace: one accept4 per
 * epoll_wait), and a sweep costs one read(2) per open connection, so
 * sweeping every turn made accepting N clients cost O(N²): 10,000 took
 * minutes. Deferring the sweep while each turn brings a new connection
 * accepts the whole pending queue first; the bound keeps a stream of new
 * clients from starving the established ones (their reads wait at most this
 * many cheap turns).
 */
export const MAX_ACCEPTS_PER_SWEEP = 256;

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
  /** Connections accepted since the last turn the loop looked; turns deferred for them. */
  #accepted = 0;
  #deferred = 0;

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
  /**
   * A connection was accepted: the next sweep waits one more turn (up to
   * {@link MAX_ACCEPTS_PER_SWEEP}), in which libuv may accept the next one.
   */
  accepted(): void {
    this.#accepted++;
    this.wake();
  }

  stop(): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    if (this.#timer) clearTimeout(this.#timer);
    this.#immediate = undefined;
    this.#timer = undefined;
    this.#delay = 0;
    this.#accepted = 0;
    this.#deferred = 0;
  }

  readonly #run = (): void => {
    this.#immediate = undefined;
    this.#timer = undefined;
    if (this.#accepted > 0 && this.#deferred < MAX_ACCEPTS_PER_SWEEP) {
      // A turn brought a connection: give the next turn its accept before sweeping.
      this.#deferred += this.#accepted;
      this.#accepted = 0;
      this.#immediate = setImmediate(this.#run);
      return;
    }
    this.#accepted = 0;
    this.#deferred = 0;
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
