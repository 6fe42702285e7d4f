// A clock that moves only when told (Twisted's task.Clock): time-driven code
// — reconnect backoff, timeouts — is tested without waiting.
import { DelayedCall, type DelayedCallScheduler, RUN_CALL } from '../delayed-call.js';
import type { ReactorTime } from '../reactor-time.js';

/**
 * A `ReactorTime` whose `seconds()` starts at 0 and changes only through
 * `advance` / `pump`. Due calls run in time order; an error a call throws
 * propagates out of `advance`.
 */
export class Clock implements ReactorTime {
  #now = 0;
  #calls: DelayedCall[] = [];
  readonly #scheduler: DelayedCallScheduler = {
    seconds: () => this.#now,
    cancelled: (call) => this.#remove(call),
    rescheduled: () => this.#sort(),
  };

  seconds(): number {
    return this.#now;
  }

  callLater<A extends unknown[]>(
    seconds: number,
    fn: (...args: A) => void,
    ...args: A
  ): DelayedCall {
    const call = new DelayedCall(this.#now + seconds, () => fn(...args), this.#scheduler);
    this.#calls.push(call);
    this.#sort();
    return call;
  }

  /** The pending calls, earliest first. */
  getDelayedCalls(): DelayedCall[] {
    return [...this.#calls];
  }

  /** Moves time forward by `seconds` and runs every call now due. */
  advance(seconds: number): void {
    this.#now += seconds;
    for (;;) {
      const next = this.#calls[0];
      if (next === undefined || next.getTime() > this.#now) return;
      this.#calls.shift();
      next[RUN_CALL]();
    }
  }

  /** `advance` by each amount in turn. */
  pump(timings: Iterable<number>): void {
    for (const seconds of timings) this.advance(seconds);
  }

  #remove(call: DelayedCall): void {
    const index = this.#calls.indexOf(call);
    if (index !== -1) this.#calls.splice(index, 1);
  }

  #sort(): void {
    this.#calls.sort((a, b) => a.getTime() - b.getTime());
  }
}
