import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';
import { median, percentile } from './statistics.js';

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('ignores non-finite values and is NaN when nothing is left', () => {
    expect(median([Number.NaN, 5, Number.POSITIVE_INFINITY, 1])).toBe(3);
    expect(median([])).toBeNaN();
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('percentile (nearest rank)', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('returns the smallest value with p % of the sample at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
  });

  it('rejects p outside 0..100 and is NaN for no data', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('LatencyHistogram', () => {
  it('agrees with exact percentiles within its 1 % bucket width', () => {
    const values = Array.from({ length: 10_000 }, (_, i) => 5 + ((i * 7919) % 20_000));
    const h = new LatencyHistogram();
    for (const v of values) h.record(v);
    for (const p of [1, 50, 90, 99, 99.9]) {
      const exact = percentile(values, p);
      expect(Math.abs(h.percentile(p) - exact) / exact).toBeLessThan(0.011);
    }
  });

  it('round-trips through a snapshot and merges counts', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    for (let i = 0; i < 100; i++) a.record(100);
    for (let i = 0; i < 100; i++) b.record(10_000);
    const merged = LatencyHistogram.from(a.snapshot()).add(b.snapshot());
    expect(merged.count).toBe(200);
    expect(merged.percentile(50)).toBeCloseTo(100, -1);
    expect(merged.percentile(99) / 10_000).toBeCloseTo(1, 1);
  });

  it('is NaN when empty and clamps sub-microsecond values', () => {
    const h = new LatencyHistogram();
    expect(h.percentile(50)).toBeNaN();
    h.record(0.2);
    expect(h.percentile(50)).toBe(1);
  });
});
