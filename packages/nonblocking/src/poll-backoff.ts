// How long the sweep loop waits before the next sweep: nothing after a
// sweep that moved bytes and for a short spin after it, then doubling from
// 1 ms up to `pollInterval`.

/**
 * How long, in ms, the loop keeps sweeping on every event-loop turn after
 * the last progress before it starts to sleep. A request/response peer
 * answers within a round trip (tens of µs on loopback); sleeping at once
 * would add a timer's millisecond to every exchange. Bounded, so an idle
 * server spins at most this long after its last byte.
 */
export const SPIN_AFTER_PROGRESS = 1;

/**
 * The delay in ms before the next sweep. 0 means "next event-loop turn"
 * (`setImmediate`), never a blocking spin.
 *
 * @param previous the delay used before the sweep that just ran
 * @param progress whether that sweep moved bytes or changed a connection's state
 * @param sinceProgress ms since the last sweep that made progress
 * @param pollInterval the most the loop may back off; 0 = pure busy polling
 */
export function nextPollDelay(
  previous: number,
  progress: boolean,
  sinceProgress: number,
  pollInterval: number,
): number {
  if (progress || pollInterval <= 0 || sinceProgress < SPIN_AFTER_PROGRESS) return 0;
  return Math.min(pollInterval, previous <= 0 ? 1 : previous * 2);
}
