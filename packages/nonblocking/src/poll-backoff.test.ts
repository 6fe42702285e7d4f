import { describe, expect, it } from 'vitest';
import { nextPollDelay, SPIN_AFTER_PROGRESS } from './poll-backoff.js';

const LONG_AGO = 1000;

describe('nextPollDelay', () => {
  it('polls again on the next turn after progress', () => {
    expect(nextPollDelay(40, true, 0, 50)).toBe(0);
  });

  it('keeps polling every turn for a short spin after the last progress', () => {
    expect(nextPollDelay(0, false, 0, 50)).toBe(0);
    expect(nextPollDelay(0, false, SPIN_AFTER_PROGRESS / 2, 50)).toBe(0);
    expect(nextPollDelay(0, false, SPIN_AFTER_PROGRESS, 50)).toBe(1);
  });

  it('then doubles from 1 ms up to pollInterval while nothing moves', () => {
    const delays: number[] = [];
    let delay = 0;
    for (let i = 0; i < 9; i++) {
      delay = nextPollDelay(delay, false, LONG_AGO, 50);
      delays.push(delay);
    }
    expect(delays).toEqual([1, 2, 4, 8, 16, 32, 50, 50, 50]);
  });

  it('never waits with pollInterval 0 (busy polling)', () => {
    expect(nextPollDelay(0, false, LONG_AGO, 0)).toBe(0);
    expect(nextPollDelay(8, false, LONG_AGO, 0)).toBe(0);
  });
});
