// The idle rule of an AsyncSocket: a coarse timer that checks an activity
// counter a few times per period, so traffic costs one counter bump and no
// timer re-arm per message.

/**
 * Calls `onIdle` once `activity()` has not changed for `idleTimeout` ms
 * (checked every quarter of it). The timer does not keep the process alive.
 * Returns the timer, for `clearInterval`.
 */
export function startIdleTimer(
  idleTimeout: number,
  activity: () => number,
  onIdle: () => void,
): NodeJS.Timeout {
  const period = Math.max(1, Math.floor(idleTimeout / 4));
  let seen = activity();
  let quietFor = 0;
  const timer = setInterval(() => {
    const now = activity();
    if (now !== seen) {
      seen = now;
      quietFor = 0;
      return;
    }
    quietFor += period;
    if (quietFor < idleTimeout) return;
    clearInterval(timer);
    onIdle();
  }, period);
  timer.unref();
  return timer;
}
