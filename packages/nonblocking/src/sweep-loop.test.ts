import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SweepLoop, type SweepResult } from './sweep-loop.js';

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
});
