// A fixed-size log-bucketed latency histogram: recording is one Math.log and
// one array increment, no allocation, so it sits on the load generator's hot
// path. Buckets are 1 % wide, so reported percentiles are within 1 %.

/** Bucket growth factor: each bucket is 1 % wider than the one below. */
export const GROWTH = 1.01;
const SCALE = 1 / Math.log(GROWTH);
/**
 * Covers 1 µs .. about 100 s; anything above lands in the last bucket. (The C
 * load generator is given GROWTH and BUCKETS and buckets the same way.)
 */
export const BUCKETS = 1 + Math.ceil(Math.log(1e8) * SCALE);

/** Sparse, serialisable form: `[bucketIndex, count]` pairs, index ascending. */
export type HistogramSnapshot = Array<[number, number]>;

/** Latencies in microseconds, bucketed. */
export class LatencyHistogram {
  readonly counts = new Float64Array(BUCKETS);
  count = 0;

  /** Records one latency in microseconds. */
  record(micros: number): void {
    let index = micros <= 1 ? 0 : 1 + Math.floor(Math.log(micros) * SCALE);
    if (index >= BUCKETS) index = BUCKETS - 1;
    this.counts[index]!++;
    this.count++;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }

  snapshot(): HistogramSnapshot {
    const pairs: HistogramSnapshot = [];
    for (let i = 0; i < BUCKETS; i++) if (this.counts[i]! > 0) pairs.push([i, this.counts[i]!]);
    return pairs;
  }

  /** Adds a snapshot (e.g. another window's) into this histogram. */
  add(snapshot: HistogramSnapshot): this {
    for (const [index, n] of snapshot) {
      this.counts[index]! += n;
      this.count += n;
    }
    return this;
  }

  static from(snapshot: HistogramSnapshot): LatencyHistogram {
    return new LatencyHistogram().add(snapshot);
  }

  /**
   * The p-th percentile (0..100) in microseconds, as the geometric middle of
   * the bucket holding that rank; NaN when empty.
   */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return bucketMiddle(i);
    }
    return bucketMiddle(BUCKETS - 1);
  }
}

function bucketMiddle(index: number): number {
  if (index === 0) return 1;
  // Bucket i holds [GROWTH^(i-1), GROWTH^i).
  return GROWTH ** (index - 0.5);
}
