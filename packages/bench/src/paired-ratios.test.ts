import { describe, expect, it } from 'vitest';
import { pairedRatio } from './paired-ratios.js';

const pair = (a: number, b: number, cpuA: number | null = null, cpuB: number | null = null) => ({
  baseline: { msgsPerSec: a, cpuUsPerMsg: cpuA },
  candidate: { msgsPerSec: b, cpuUsPerMsg: cpuB },
});

describe('pairedRatio', () => {
  it('takes the ratio within each pair, then the median and range', () => {
    // Load drifts between pairs (100k, then 50k): per-pair ratios stay 1.1, 1.2, 0.9.
    const r = pairedRatio([pair(100, 110, 10, 9), pair(50, 60, 20, 18), pair(80, 72, 10, 11)]);
    expect(r.pairs).toBe(3);
    expect(r.msgsPerSec.median).toBeCloseTo(1.1);
    expect(r.msgsPerSec.min).toBeCloseTo(0.9);
    expect(r.msgsPerSec.max).toBeCloseTo(1.2);
    expect(r.candidateAhead).toBe(2);
    expect(r.cpuPerMsg!.median).toBeCloseTo(0.9);
    expect(r.cpuPerMsg!.max).toBeCloseTo(1.1);
  });

  it('sees a candidate ahead in every pair even when load halves between pairs', () => {
    const r = pairedRatio([pair(100, 105), pair(40, 44), pair(42, 46)]);
    expect(r.candidateAhead).toBe(3);
    expect(r.msgsPerSec.min).toBeGreaterThan(1);
  });

  it("sets each server's best pair against the other's, whichever pairs they came from", () => {
    // The baseline's best is pair 1 (120), the candidate's pair 2 (90): 0.75,
    // where the per-pair ratios read 0.5, 1.125 and 0.7.
    const r = pairedRatio([pair(120, 60), pair(80, 90), pair(100, 70)]);
    expect(r.bestOfEach).toBeCloseTo(0.75);
    expect(r.msgsPerSec.median).toBeCloseTo(0.7);
  });

  it('leaves the CPU ratio out without CPU samples, and refuses no pairs', () => {
    expect(pairedRatio([pair(1, 2)]).cpuPerMsg).toBeNull();
    expect(() => pairedRatio([])).toThrow(RangeError);
  });
});
