import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_ACCEPTS_PER_SWEEP, SweepLoop, type SweepResult } from './sweep-loop.js';

describe('SweepLoop', () => {
  beforeEach(() => {
    vi.useFakeTimers({
      toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'performance'],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A loop whose sweeps answer from `results` (then "nothing pending"), counting runs. */
  function loopOf(results: SweepResult[], pollInterval: number) {
    const runs: number[] = [];
    const loop = new SweepLoop(() => {
      runs.push(performance.now());
      return results.shift() ?? { progress: false, pending: false };
    }, pollInterval);
    return { loop, runs };
  }

  it('sweeps once on wake and stops when nothing is pending', () => {
    const { loop, runs } = loopOf([], 50);
    loop.wake();
    vi.advanceTimersByTime(1_000);
    expect(runs.length).toBe(1);
  });

  it('sweeps again on the next turn while there is progress', () => {
    const busy = { progress: true, pending: true };
    const { loop, runs } = loopOf([busy, busy, busy], 50);
    loop.wake();
    vi.advanceTimersByTime(1_000);
    expect(runs.length).toBe(4); // three with progress, then one that found nothing pending
  });

  it('backs off up to pollInterval while nothing moves, and wake() restarts at once', () => {
    const idle = { progress: false, pending: true };
    const { loop, runs } = loopOf(
      Array.from({ length: 100 }, () => idle),
      50,
    );
    loop.wake();
    vi.advanceTimersByTime(1_000);
    // 1 s of idle polling at ≤ 50 ms apart: the spin and ramp, then ~20 sweeps, not thousands.
    expect(runs.length).toBeGreaterThan(15);
    expect(runs.length).toBeLessThan(60);
    const gaps = runs.slice(1).map((at, i) => at - runs[i]!);
    expect(Math.max(...gaps)).toBe(50);
    const before = runs.length;
    const wokenAt = performance.now();
    loop.wake();
    vi.advanceTimersToNextTimer();
    expect(runs.length).toBe(before + 1);
    expect(runs.at(-1)).toBe(wokenAt); // on the next turn, not after the 50 ms backoff
    loop.stop();
  });

  it('stop() cancels the next sweep', () => {
    const idle = { progress: false, pending: true };
    const { loop, runs } = loopOf([idle, idle, idle], 50);
    loop.wake();
    loop.stop();
    vi.advanceTimersByTime(1_000);
    expect(runs.length).toBe(0);
  });

  it('waits for the accepts pending on later turns before sweeping, up to a bound', () => {
    let fed = 0;
    const sweptAt: number[] = [];
    const loop = new SweepLoop(() => {
      sweptAt.push(fed);
      return { progress: true, pending: true };
    }, 50);
    // A client arrives on every event-loop turn (libuv accepts one per turn), 1,000 in all.
    const arrive = () => {
      if (fed >= 1_000) return;
      fed++;
      loop.accepted();
      setImmediate(arrive);
    };
    arrive();
    for (let turn = 0; turn < 2_000 && fed < 1_000; turn++) vi.advanceTimersToNextTimer();
    loop.stop();
    // The first sweep waited for many accepts, but not for all of them: the bound holds.
    expect(sweptAt[0]).toBeGreaterThan(MAX_ACCEPTS_PER_SWEEP / 2);
    expect(sweptAt[0]).toBeLessThanOrEqual(MAX_ACCEPTS_PER_SWEEP + 1);
    expect(sweptAt.filter((n) => n < 1_000).length).toBeGreaterThanOrEqual(3);
  });

  it('sweeps on the next turn once a turn brings no new connection', () => {
    const { loop, runs } = loopOf([], 50);
    loop.accepted();
    vi.advanceTimersToNextTimer(); // the deferred turn
    expect(runs.length).toBe(0);
    vi.advanceTimersToNextTimer();
    expect(runs.length).toBe(1);
  });
});
