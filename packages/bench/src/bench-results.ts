// The shape of a run's results (also the JSON file's), and how raw windows
// from every round become the reported medians.
import type { BenchProfile } from './bench-profile.js';
import { LatencyHistogram } from './latency-histogram.js';
import type { WindowResult, WorkloadResult } from './load-generator.js';
import type { MachineInfo } from './machine-info.js';
import { median } from './statistics.js';

export interface PingPongFigure {
  connections: number;
  /** Median over all windows of all rounds. */
  msgsPerSec: number;
  /** Over every exchange measured, all rounds. */
  p50Us: number;
  p99Us: number;
  /** Fewest connections served (≥ 1 exchange while measuring) in any round. */
  served: number;
  /**
   * Longest ramp of any round, ms: the time from the first connect until every
   * connection had been served once (or none had been for 1.5 s, or the ramp
   * timed out). Quiet ramp: served connections wait, silent, until it ends.
   */
  rampMs: number | null;
  /** Each round's ramp, ms. */
  rampRoundsMs: number[];
  /** Server CPU (process tree) per message, median over rounds; null without /proc. */
  cpuUsPerMsg: number | null;
  /**
   * CPU of the load generator that took the figure (see BenchResults.generators)
   * over the measured span, % of its core, median over rounds.
   */
  loadCpuPercent: number;
  /** msgs/s of every window, for the record. */
  samples: number[];
}

export interface BulkFigure {
  connections: number;
  /** Echoed and verified megabytes (10^6 B) per second, median over windows. */
  mbPerSec: number;
  served: number;
  loadCpuPercent: number;
  samples: number[];
}

export interface RateFigure {
  concurrency: number;
  /** connect → 64-byte exchange → close cycles per second, median over windows. */
  perSec: number;
  loadCpuPercent: number;
  samples: number[];
}

export interface MemoryFigure {
  connections: number;
  opened: number;
  served: number;
  /** (tree anonymous PSS with the connections open − before) / connections opened, KiB (see `TreeMemory.anon`). */
  kibPerConnection: number | null;
  pssBeforeKiB: number | null;
  pssAfterKiB: number | null;
  rssAfterKiB: number | null;
  processes: number | null;
  /** Set when fewer connections than asked were opened on purpose. */
  capped?: string;
}

export interface ServerResult {
  name: string;
  description: string;
  kind: 'model' | 'baseline' | 'peer';
  status: 'measured' | 'skipped' | 'failed';
  /** Why skipped or failed. */
  reason?: string;
  pingPong: PingPongFigure[];
  /**
   * The same 64 B ping-pong over a Unix socket file, at the profile's
   * `unixPingPongConnections`; empty when it serves TCP only (`tcpOnly` says why).
   */
  unixPingPong: PingPongFigure[];
  /** Why there is no Unix-socket figure: the server listens on TCP only. */
  tcpOnly?: string;
  bulk: BulkFigure | null;
  connectionRate: RateFigure | null;
  memory: MemoryFigure[];
  /** Server CPU while idle with no connections, % of one core. */
  idleCpuPercent: number | null;
  /** First byte-exactness failure seen, if any: the figures of such a server are not to be trusted. */
  corruption: string | null;
  /** Socket errors seen by the load generator (refused, reset). */
  errors: number;
  notes: string[];
}

/** Which load generator drove a workload: the C epoll program (native/pingpong.c) or the Node one. */
export type GeneratorName = 'c-epoll' | 'node';

/** The load generator of each workload, and why the C one was not used, if it was not. */
export interface Generators {
  pingPong: GeneratorName;
  connectionRate: GeneratorName;
  bulk: GeneratorName;
  idleMemory: GeneratorName;
  /** Why ping-pong and connection rate fell back to the Node generator; null when they did not. */
  fallback: string | null;
}

export interface BenchResults {
  machine: MachineInfo;
  profile: BenchProfile;
  /** CPUs the server and the load generator were pinned to, or null when not pinned. */
  pinning: { server: number; load: number } | null;
  generators: Generators;
  durationSec: number;
  servers: ServerResult[];
}

/** Raw material gathered for one server over all rounds. */
export class ServerSamples {
  readonly pingPong = new Map<
    number,
    {
      windows: WindowResult[];
      served: number[];
      rampMs: number[];
      cpuUsPerMsg: number[];
      loadCpu: number[];
    }
  >();
  readonly bulkWindows: WindowResult[] = [];
  readonly bulkServed: number[] = [];
  readonly bulkLoadCpu: number[] = [];
  readonly rateWindows: WindowResult[] = [];
  readonly rateLoadCpu: number[] = [];

  addPingPong(connections: number, run: WorkloadResult, cpuSeconds: number | null) {
    const { windows } = run;
    let entry = this.pingPong.get(connections);
    if (!entry) {
      entry = { windows: [], served: [], rampMs: [], cpuUsPerMsg: [], loadCpu: [] };
      this.pingPong.set(connections, entry);
    }
    entry.windows.push(...windows);
    entry.served.push(run.served);
    if (run.rampMs !== null) entry.rampMs.push(run.rampMs);
    entry.loadCpu.push(run.loadCpuPercent);
    const messages = windows.reduce((sum, w) => sum + w.messages, 0);
    if (cpuSeconds !== null && messages > 0) entry.cpuUsPerMsg.push((cpuSeconds * 1e6) / messages);
  }

  pingPongFigures(): PingPongFigure[] {
    return [...this.pingPong.entries()]
      .sort(([a], [b]) => a - b)
      .map(([connections, entry]) => {
        const histogram = new LatencyHistogram();
        for (const w of entry.windows) histogram.add(w.histogram);
        const samples = entry.windows.map((w) => perSecond(w.messages, w.ms));
        return {
          connections,
          msgsPerSec: median(samples),
          p50Us: histogram.percentile(50),
          p99Us: histogram.percentile(99),
          served: Math.min(...entry.served),
          rampMs: entry.rampMs.length > 0 ? Math.max(...entry.rampMs) : null,
          rampRoundsMs: entry.rampMs,
          cpuUsPerMsg: entry.cpuUsPerMsg.length > 0 ? median(entry.cpuUsPerMsg) : null,
          loadCpuPercent: median(entry.loadCpu),
          samples,
        };
      });
  }

  addBulk(run: WorkloadResult) {
    this.bulkWindows.push(...run.windows);
    this.bulkServed.push(run.served);
    this.bulkLoadCpu.push(run.loadCpuPercent);
  }

  addRate(run: WorkloadResult) {
    this.rateWindows.push(...run.windows);
    this.rateLoadCpu.push(run.loadCpuPercent);
  }

  bulkFigure(connections: number): BulkFigure | null {
    if (this.bulkWindows.length === 0) return null;
    const samples = this.bulkWindows.map((w) => perSecond(w.bytes, w.ms) / 1e6);
    return {
      connections,
      mbPerSec: median(samples),
      served: Math.min(...this.bulkServed),
      loadCpuPercent: median(this.bulkLoadCpu),
      samples,
    };
  }

  rateFigure(concurrency: number): RateFigure | null {
    if (this.rateWindows.length === 0) return null;
    const samples = this.rateWindows.map((w) => perSecond(w.cycles, w.ms));
    return {
      concurrency,
      perSec: median(samples),
      loadCpuPercent: median(this.rateLoadCpu),
      samples,
    };
  }
}

function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}
