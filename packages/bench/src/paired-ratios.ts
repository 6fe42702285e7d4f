// The statistics of an interleaved A/B comparison: each pair is one
// measurement of the baseline and one of the candidate taken back to back,
// so slow drift on a shared machine hits both alike. The ratio is taken per
// pair, then summarised; a ratio of medians would mix pairs taken under
// different load.
//
// The best of each is the other view: each server's fastest pair over the
// other's. Where interference only ever slows a server down (another job
// on its core, a host that parks the idle peer's vCPU), its best
// measurement is its least disturbed one — `timeit` takes the minimum for
// the same reason — and on this shared 2-vCPU machine both servers flip
// between two throughput levels, which moves the median by up to ±0.1.
import { median } from './statistics.js';

/** One back-to-back measurement of both servers at one connection count. */
export interface Pair {
  baseline: { msgsPerSec: number; cpuUsPerMsg: number | null };
  candidate: { msgsPerSec: number; cpuUsPerMsg: number | null };
}

/** candidate ÷ baseline over every pair: median and range. */
export interface PairedRatio {
  pairs: number;
  msgsPerSec: { median: number; min: number; max: number };
  /** Server CPU per message, candidate ÷ baseline (below 1 = cheaper); null without CPU samples. */
  cpuPerMsg: { median: number; min: number; max: number } | null;
  /** Pairs in which the candidate moved more messages per second than the baseline. */
  candidateAhead: number;
  /** The candidate's most messages per second in any pair ÷ the baseline's, whichever pairs they came from. */
  bestOfEach: number;
}

export function pairedRatio(pairs: readonly Pair[]): PairedRatio {
  if (pairs.length === 0) throw new RangeError('pairedRatio needs at least one pair');
  const throughput = pairs.map((p) => p.candidate.msgsPerSec / p.baseline.msgsPerSec);
  const cpu = pairs.flatMap((p) =>
    p.candidate.cpuUsPerMsg !== null && p.baseline.cpuUsPerMsg !== null
      ? [p.candidate.cpuUsPerMsg / p.baseline.cpuUsPerMsg]
      : [],
  );
  return {
    pairs: pairs.length,
    msgsPerSec: summary(throughput),
    cpuPerMsg: cpu.length > 0 ? summary(cpu) : null,
    candidateAhead: throughput.filter((r) => r > 1).length,
    bestOfEach:
      Math.max(...pairs.map((p) => p.candidate.msgsPerSec)) /
      Math.max(...pairs.map((p) => p.baseline.msgsPerSec)),
  };
}

function summary(values: number[]): { median: number; min: number; max: number } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
