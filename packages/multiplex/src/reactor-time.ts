// The scheduling half of a reactor (Twisted's IReactorTime), shared by the
// real Reactor and the test Clock so time-driven code takes either.
import type { DelayedCall } from './delayed-call.js';

/** Something that tells the time and runs functions later. Times are in seconds. */
export interface ReactorTime {
  /** The current time in seconds (monotonic for the real reactor). */
  seconds(): number;
  /** Runs `fn(...args)` after `seconds`; the returned call can be cancelled, reset or delayed. */
  callLater<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => void,
    ...args: A
  ): DelayedCall;
}
