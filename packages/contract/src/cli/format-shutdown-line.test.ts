import { describe, expect, it } from 'vitest';
import { formatShutdownLine } from './format-shutdown-line.js';

const idle = { completed: 0, interrupted: 0, aborted: 0, abandoned: 0 };

describe('formatShutdownLine', () => {
  it('says what was served even when nothing was open at shutdown', () => {
    const stats = {
      accepted: 1,
      active: 0,
      completed: 1,
      failed: 0,
      timedOut: 0,
      refused: 0,
      proxyRefused: 0,
    };
    expect(formatShutdownLine(stats, idle)).toBe(
      '1 served, 0 refused: 1 completed, 0 failed, 0 timed out; at shutdown 0 open: 0 completed, 0 interrupted, 0 aborted, 0 abandoned',
    );
  });

  it('counts the open connections by what the shutdown did to them, abandoned included', () => {
    const stats = {
      accepted: 6,
      active: 1,
      completed: 2,
      failed: 1,
      timedOut: 1,
      refused: 1,
      proxyRefused: 0,
    };
    const report = { completed: 1, interrupted: 1, aborted: 1, abandoned: 1 };
    expect(formatShutdownLine(stats, report)).toBe(
      '5 served, 1 refused: 2 completed, 1 failed, 1 timed out; at shutdown 3 open: 1 completed, 1 interrupted, 1 aborted, 1 abandoned',
    );
  });
});
