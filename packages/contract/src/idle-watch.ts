// The idle-timeout rule, once for every model: a connection is idle when no
// byte was received from the peer and no output was sent for `idleTimeout`
// ms (activity either way restarts it, as Node's `socket.setTimeout`).
import { IdleTimeoutError } from './errors.js';
import { QuietTimer } from './quiet-timer.js';

/**
 * Watches one connection for idleness. The model calls `touch()` whenever
 * bytes arrive from the peer or output goes out (a counter increment: no
 * timer is re-armed per message); a coarse timer checks a few times per
 * period and calls `onIdle` once, with the `IdleTimeoutError` the model must
 * deliver to a pending and every later `recv`, before closing the connection
 * (FIN, linger, RST). The verdict comes between `idleTimeout` and 1.25 ×
 * `idleTimeout` after the last activity. `stop()` when the connection ends.
 *
 * @example
 * const watch = IdleWatch.start(options.idleTimeout, (error) => connection.timedOut(error));
 * // on every read and write:
 * watch?.touch();
 */
export class IdleWatch {
  #activity = 0;
  readonly #timer: QuietTimer;

  constructor(
    /** ms; must be > 0 (see {@link IdleWatch.start} for 0 = off). */
    readonly idleTimeout: number,
    onIdle: (error: IdleTimeoutError) => void,
    /**
     * Where the activity count lives when the IO happens elsewhere (memory
     * shared with a thread, a file shared with a child): any value that
     * changes on activity. Default: the count `touch()` keeps.
     */
    activity: () => number = () => this.#activity,
  ) {
    if (!(idleTimeout > 0)) throw new RangeError(`idleTimeout must be > 0, got ${idleTimeout}`);
    this.#timer = new QuietTimer(idleTimeout, activity, () =>
      onIdle(new IdleTimeoutError(idleTimeout)),
    );
  }

  /** A watch for `idleTimeout` ms, or `undefined` when it is 0/undefined (no idle timeout: no timer at all). */
  static start(
    idleTimeout: number | undefined,
    onIdle: (error: IdleTimeoutError) => void,
    /** See the constructor's `activity`. */
    activity?: () => number,
  ): IdleWatch | undefined {
    return idleTimeout !== undefined && idleTimeout > 0
      ? new IdleWatch(idleTimeout, onIdle, activity)
      : undefined;
  }

  /** Bytes moved, either way: the idle period starts again. */
  touch(): void {
    this.#activity++;
  }

  /** No more verdicts (the connection ended). Idempotent. */
  stop(): void {
    this.#timer.stop();
  }
}
