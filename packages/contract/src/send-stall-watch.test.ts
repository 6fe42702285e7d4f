import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendStalledError } from './errors.js';
import { SendStallWatch } from './send-stall-watch.js';

describe('SendStallWatch', () => {
  let unsent = 0;
  let stalls: SendStalledError[] = [];
  const watch = () =>
    new SendStallWatch(
      1_000,
      () => unsent,
      (error) => stalls.push(error),
    );

  beforeEach(() => {
    vi.useFakeTimers();
    unsent = 0;
    stalls = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires once with SendStalledError when pending output makes no progress for the timeout', () => {
    const w = watch();
    unsent = 5_000;
    w.arm();
    expect(w.armed).toBe(true);
    vi.advanceTimersByTime(999);
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(stalls).toHaveLength(1);
    expect(SendStalledError.isInstance(stalls[0])).toBe(true);
    expect(stalls[0]?.message).toContain('nothing for 1000 ms with output pending (5000)');
    expect(w.armed).toBe(false);
    w.arm(); // fired: never again
    vi.advanceTimersByTime(5_000);
    expect(stalls).toHaveLength(1);
  });

  /** Arms with `pending` unsent, then reports `progress` every 500 ms for 5 s: no stall; then a stall once quiet. */
  function movesThenStalls(pending: number, progress: (w: SendStallWatch) => void): void {
    const w = watch();
    unsent = pending;
    w.arm();
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(500);
      progress(w);
    }
    expect(stalls).toEqual([]);
    vi.advanceTimersByTime(1_250);
    expect(stalls).toHaveLength(1);
  }

  it('counts unsent bytes going down as progress', () => {
    movesThenStalls(100_000, () => {
      unsent -= 1_000;
    });
  });

  it('is not fooled by output queued as fast as it goes out, when told with queued()', () => {
    // 1,000 more queued each time and 1,000 went out: unsent unchanged.
    movesThenStalls(10_000, (w) => w.queued(1_000));
  });

  it('counts progressed() as progress (models that count completed writes)', () => {
    movesThenStalls(1, (w) => w.progressed());
  });

  it('disarms itself (no timer) once nothing is pending, and may be armed again', () => {
    const w = watch();
    unsent = 10;
    w.arm();
    unsent = 0;
    vi.advanceTimersByTime(250);
    expect(w.armed).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(stalls).toEqual([]);
    unsent = 10;
    w.arm();
    vi.advanceTimersByTime(1_000);
    expect(stalls).toHaveLength(1);
  });

  it('runs no timer before arm() or after stop()', () => {
    const w = watch();
    expect(vi.getTimerCount()).toBe(0);
    unsent = 10;
    w.arm();
    w.arm();
    expect(vi.getTimerCount()).toBe(1);
    w.stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(stalls).toEqual([]);
  });
});
