// The coarse clock under IdleWatch and SendStallWatch: a few checks per
// timeout instead of a timer re-armed on every message, so what the hot
// path pays for a watched connection is one counter increment.

/** Checks per timeout: the verdict comes between 1× and 1.25× the timeout after the last sign of life. */
export const CHECKS_PER_TIMEOUT = 4;

/**
 * Fires `onQuiet` once when `sign()` returned the same value at every check
 * for `timeout` ms; stops without firing when `sign()` returns `undefined`
 * (nothing left to watch). Internal: the watches build their rules on it.
 */
export class QuietTimer {
  readonly #timer: NodeJS.Timeout;
  readonly #period: number;
  readonly #sign: () => number | undefined;
  readonly #onQuiet: () => void;
  #quietFor = 0;
  #seen: number | undefined;

  constructor(
    readonly timeout: number,
    /** A value that changes whenever there was a sign of life. */
    sign: () => number | undefined,
    onQuiet: () => void,
  ) {
    this.#sign = sign;
    this.#onQuiet = onQuiet;
    this.#period = Math.max(1, Math.floor(timeout / CHECKS_PER_TIMEOUT));
    this.#seen = sign();
    this.#timer = setInterval(() => this.#check(), this.#period);
    // A watch never keeps the process alive: the connection it watches does.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #check(): void {
    const now = this.#sign();
    if (now === undefined) {
      this.stop();
      return;
    }
    if (now !== this.#seen) {
      this.#seen = now;
      this.#quietFor = 0;
      return;
    }
    this.#quietFor += this.#period;
    if (this.#quietFor < this.timeout) return;
    this.stop();
    this.#onQuiet();
  }
}
