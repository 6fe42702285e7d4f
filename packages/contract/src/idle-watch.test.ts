import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionTimeoutError, IdleTimeoutError } from './errors.js';
import { IdleWatch } from './idle-watch.js';

describe('IdleWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once, with an IdleTimeoutError naming the timeout, after idleTimeout without activity', () => {
    const verdicts: IdleTimeoutError[] = [];
    const watch = new IdleWatch(1_000, (error) => verdicts.push(error));
    vi.advanceTimersByTime(999);
    expect(verdicts).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(verdicts).toHaveLength(1);
    const [error] = verdicts;
    expect(IdleTimeoutError.isInstance(error)).toBe(true);
    expect(ConnectionTimeoutError.isInstance(error)).toBe(true);
    expect(error?.idleTimeout).toBe(1_000);
    expect(error?.message).toContain('1000 ms');
    vi.advanceTimersByTime(10_000);
    expect(verdicts).toHaveLength(1);
    watch.stop();
  });

  it('restarts the period on activity, and fires within 1.25 × the timeout of the last one', () => {
    let fired = 0;
    const watch = new IdleWatch(1_000, () => fired++);
    for (let i = 0; i < 20; i++) {
      vi.advanceTimersByTime(600);
      watch.touch();
    }
    expect(fired).toBe(0);
    vi.advanceTimersByTime(999);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(251);
    expect(fired).toBe(1);
  });

  it('never fires once stopped', () => {
    let fired = 0;
    const watch = new IdleWatch(100, () => fired++);
    watch.stop();
    watch.stop();
    vi.advanceTimersByTime(1_000);
    expect(fired).toBe(0);
  });

  it('start() gives no watch (no timer) for 0 or undefined', () => {
    expect(IdleWatch.start(0, () => {})).toBeUndefined();
    expect(IdleWatch.start(undefined, () => {})).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
    const watch = IdleWatch.start(50, () => {});
    expect(watch).toBeInstanceOf(IdleWatch);
    watch?.stop();
    expect(() => new IdleWatch(0, () => {})).toThrow(RangeError);
  });

  it('watches a count kept elsewhere (shared with the thread or child doing the IO)', () => {
    let count = 0;
    let fired = 0;
    const watch = IdleWatch.start(
      1_000,
      () => fired++,
      () => count,
    );
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(600);
      count++;
    }
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1_250);
    expect(fired).toBe(1);
    watch?.stop();
  });
});
