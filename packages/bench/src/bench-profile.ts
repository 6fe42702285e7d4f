// The three ways to run the bench: how many rounds, which workloads, how
// long each window is. `quick` and `smoke` are cut-down `full` runs.

/** Timing of one measured workload. */
export interface Timing {
  warmupMs: number;
  windowMs: number;
  windows: number;
  rampTimeoutMs: number;
}

export interface BenchProfile {
  name: 'smoke' | 'quick' | 'full';
  /** Passes over every server; each pass starts each server afresh. Medians are over all windows of all rounds. */
  rounds: number;
  pingPongConnections: number[];
  pingPong: Timing;
  /**
   * Connection counts of the same ping-pong over a Unix socket file (each
   * server that can listen on one, on a start of its own, every round; the
   * `pingPong` timing). Full: the TCP counts; quick and smoke: one.
   */
  unixPingPongConnections: number[];
  bulkConnections: number;
  bulk: Timing;
  connectionRate: Timing;
  /** Concurrent connect → exchange → close loops. */
  connectionRateConcurrency: number;
  /** Idle connection counts for the memory workload (first round only). */
  idleConnections: number[];
  idleRampTimeoutMs: number;
  /**
   * How long idle connections are held before memory is read. Full: long
   * enough for V8's memory reducer (it runs ~8 s after a major GC once
   * allocation is low) to give back the young generation the ramp grew: at
   * 500 ms a Node server's reading held that transient (~12 MiB at 2,000
   * connections, ~3 KiB each for plain net and the models alike), not what
   * an idle connection costs. Every server waits the same.
   */
  idleSettleMs: number;
  /** How long the idle-CPU sample lasts (first round only). */
  idleCpuMs: number;
}

export const PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  smoke: {
    name: 'smoke',
    rounds: 1,
    pingPongConnections: [1, 10],
    pingPong: { warmupMs: 50, windowMs: 150, windows: 1, rampTimeoutMs: 3_000 },
    unixPingPongConnections: [10],
    bulkConnections: 2,
    bulk: { warmupMs: 50, windowMs: 150, windows: 1, rampTimeoutMs: 3_000 },
    connectionRate: { warmupMs: 50, windowMs: 150, windows: 1, rampTimeoutMs: 3_000 },
    connectionRateConcurrency: 2,
    idleConnections: [50],
    idleRampTimeoutMs: 3_000,
    idleSettleMs: 500,
    idleCpuMs: 200,
  },
  quick: {
    name: 'quick',
    rounds: 1,
    pingPongConnections: [1, 10, 100, 1_000],
    pingPong: { warmupMs: 100, windowMs: 200, windows: 3, rampTimeoutMs: 1_500 },
    unixPingPongConnections: [100],
    bulkConnections: 10,
    bulk: { warmupMs: 100, windowMs: 200, windows: 3, rampTimeoutMs: 1_500 },
    connectionRate: { warmupMs: 100, windowMs: 200, windows: 3, rampTimeoutMs: 1_500 },
    connectionRateConcurrency: 10,
    idleConnections: [1_000],
    idleRampTimeoutMs: 1_500,
    idleSettleMs: 500,
    idleCpuMs: 500,
  },
  full: {
    name: 'full',
    rounds: 3,
    pingPongConnections: [1, 10, 100, 1_000],
    // Ramp timeouts bound how long a server that cannot serve every
    // connection (the blocking pools) is waited for; it is starred anyway.
    // Ping-pong's is long enough for a pool to start 100 worker threads
    // (~35 ms of CPU each) during the quiet ramp; servers that serve every
    // connection at once end their ramp in milliseconds.
    pingPong: { warmupMs: 500, windowMs: 1_000, windows: 2, rampTimeoutMs: 8_000 },
    unixPingPongConnections: [1, 10, 100, 1_000],
    bulkConnections: 10,
    bulk: { warmupMs: 500, windowMs: 1_000, windows: 2, rampTimeoutMs: 4_000 },
    connectionRate: { warmupMs: 500, windowMs: 1_000, windows: 2, rampTimeoutMs: 4_000 },
    connectionRateConcurrency: 10,
    idleConnections: [2_000, 10_000],
    idleRampTimeoutMs: 10_000,
    idleSettleMs: 15_000,
    idleCpuMs: 5_000,
  },
};
