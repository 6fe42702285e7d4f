// The scaling profile's plan and report, pure: how the machine's cores are
// split between the server and the load generators, which runs that makes
// (event-loop models with --workers 1..N, each on as many cores; blocking
// threading and forking and Python's socketserver peers on 1 and on N
// cores), and the tables of one run's figures. `run-scaling.ts` measures.
import { formatNumber } from './format-table.js';

/** Connection counts every scaling point is measured at. */
export const SCALING_CONNECTIONS = [10, 100] as const;

/** The event-loop models run with `--workers k` on k cores. */
export const WORKER_MODELS = ['multiplex/reactor', 'async/proactor'] as const;

/** Thread- and process-per-connection servers, run on 1 and on N cores: ours, then Python's. */
export const BLOCKING_PAIRS = [
  { model: 'blocking/threading', python: 'python/threading' },
  { model: 'blocking/forking', python: 'python/forking' },
] as const;

/** How the cores are split; CPUs are numbered from 0, the server's first. */
export interface CpuSplit {
  cores: number;
  /** N: the most cores a server gets (CPUs 0..N-1). */
  serverCpus: number;
  /** CPUs the load generators run on, one generator process each. */
  generatorCpus: number[];
  /** Why the split is what it is, printed and recorded. */
  note: string;
}

/**
 * A generator core per three server cores: the C epoll generator moves
 * about three times what one Node server core answers at 64 B ping-pong,
 * so with this share the generator is not the ceiling (each run reports
 * how busy the generators were, so a run where they were is visible).
 */
export function defaultGeneratorShare(cores: number): number {
  return Math.max(1, Math.ceil(cores / 4));
}

/** Splits `cores` (`--server-cpus N` or the default share); throws a one-line Error when it cannot. */
export function splitCpus(cores: number, serverCpus?: number): CpuSplit {
  if (cores < 2) {
    return {
      cores,
      serverCpus: 1,
      generatorCpus: [],
      note: 'one CPU: server and load generator share it, unpinned; a larger machine is needed to scale',
    };
  }
  const n = serverCpus ?? cores - defaultGeneratorShare(cores);
  if (!Number.isInteger(n) || n < 1 || n > cores - 1) {
    throw new Error(
      `--server-cpus takes 1 to ${cores - 1} here (${cores} cores, at least one for the load generator)`,
    );
  }
  const generatorCpus = Array.from({ length: cores - n }, (_, i) => n + i);
  const note =
    n === 1
      ? `${cores} cores: the server gets CPU 0, the load generator ${cpuList(generatorCpus)}; N = 1 only — a machine with more cores is needed for the rest of the profile`
      : `${cores} cores: servers get up to ${n} (CPUs ${cpuList([0, n - 1])}), ${generatorCpus.length} load generator process(es) the rest (${cpuList(generatorCpus)})`;
  return { cores, serverCpus: n, generatorCpus, note };
}

/** `0`, `0-3`, or `5,7` — as `taskset -c` takes them. */
export function cpuList(cpus: readonly number[]): string {
  if (cpus.length === 0) return '';
  const sorted = [...cpus].sort((a, b) => a - b);
  const contiguous = sorted.every((cpu, i) => i === 0 || cpu === sorted[i - 1]! + 1);
  if (contiguous) {
    return sorted.length === 1 ? String(sorted[0]) : `${sorted[0]}-${sorted.at(-1)}`;
  }
  return sorted.join(',');
}

/** 1, 2, 4, … up to and including `n`. */
export function workerCounts(n: number): number[] {
  const counts: number[] = [];
  for (let k = 1; k < n; k *= 2) counts.push(k);
  counts.push(n);
  return counts;
}

/** One server start: which server, on how many cores, with how many workers. */
export interface ScalingRun {
  server: string;
  /** The server's process tree is pinned to CPUs 0..cpus-1. */
  cpus: number;
  /** `--workers`, for the event-loop models; 1 = no flag. */
  workers: number;
}

/** The runs of the profile for a split, restricted to servers whose name contains one of `only`. */
export function planScaling(split: CpuSplit, only: readonly string[] | null = null): ScalingRun[] {
  const wanted = (name: string) => !only || only.some((part) => name.includes(part));
  const runs: ScalingRun[] = [];
  for (const server of WORKER_MODELS.filter(wanted)) {
    for (const k of workerCounts(split.serverCpus)) runs.push({ server, cpus: k, workers: k });
  }
  const coreCounts = [...new Set([1, split.serverCpus])];
  for (const pair of BLOCKING_PAIRS) {
    for (const server of [pair.model, pair.python].filter(wanted)) {
      for (const cpus of coreCounts) runs.push({ server, cpus, workers: 1 });
    }
  }
  return runs;
}

/** What one point measured. */
export interface ScalingPoint extends ScalingRun {
  connections: number;
  msgsPerSec: number;
  /** Server CPU over the measured span ÷ its wall time: how many cores it kept busy. */
  serverCores: number | null;
  /** The busiest load generator, % of its core: near 100 means its ceiling, not the server's. */
  generatorBusyPercent: number;
  served: number;
  errors: number;
}

/** Above this a generator is called the ceiling, and the point is marked. */
export const GENERATOR_CEILING_PERCENT = 90;

/** The report: one table per part, and ratios within this run. */
export function formatScaling(split: CpuSplit, points: readonly ScalingPoint[]): string {
  const find = (server: string, cpus: number, workers: number, connections: number) =>
    points.find(
      (p) =>
        p.server === server &&
        p.cpus === cpus &&
        p.workers === workers &&
        p.connections === connections,
    );
  const rate = (p: ScalingPoint | undefined) =>
    p
      ? `${formatNumber(p.msgsPerSec)}${p.served < p.connections ? '*' : ''}${p.generatorBusyPercent >= GENERATOR_CEILING_PERCENT ? ' †' : ''}`
      : '—';
  const ratio = (a: ScalingPoint | undefined, b: ScalingPoint | undefined) =>
    a && b && b.msgsPerSec > 0 ? `${(a.msgsPerSec / b.msgsPerSec).toFixed(2)}×` : '—';
  const cores = (p: ScalingPoint | undefined) =>
    p?.serverCores == null ? '—' : p.serverCores.toFixed(1);
  const lines = [`scaling profile: ${split.note}`, ''];

  const workerRows: string[] = [];
  for (const server of WORKER_MODELS) {
    for (const k of workerCounts(split.serverCpus)) {
      for (const c of SCALING_CONNECTIONS) {
        const point = find(server, k, k, c);
        if (!point) continue;
        const base = find(server, 1, 1, c);
        workerRows.push(
          `| ${server} | ${k} | ${c} | ${rate(point)} | ${ratio(point, base)} | ${cores(point)} |`,
        );
      }
    }
  }
  if (workerRows.length > 0) {
    lines.push(
      'event-loop models, --workers k on k cores (64 B ping-pong)',
      '',
      '| server | workers = cores | connections | msgs/s | ÷ 1 worker | server cores busy |',
      '|---|---:|---:|---:|---:|---:|',
      ...workerRows,
      '',
    );
  }

  const blockingRows: string[] = [];
  for (const pair of BLOCKING_PAIRS) {
    for (const cpus of [...new Set([1, split.serverCpus])]) {
      for (const c of SCALING_CONNECTIONS) {
        const ours = find(pair.model, cpus, 1, c);
        const python = find(pair.python, cpus, 1, c);
        if (!ours && !python) continue;
        blockingRows.push(
          `| ${pair.model} | ${cpus} | ${c} | ${rate(ours)} | ${rate(python)} | ${ratio(ours, python)} | ${cores(ours)} / ${cores(python)} |`,
        );
      }
    }
  }
  if (blockingRows.length > 0) {
    lines.push(
      'thread/process per connection vs Python socketserver on N cores (64 B ping-pong)',
      '',
      '| server | cores | connections | ours msgs/s | Python msgs/s | ours ÷ Python | server cores busy (ours / Python) |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...blockingRows,
      '',
    );
  }
  if (points.some((p) => p.served < p.connections)) {
    lines.push(
      '* some connections were not served once within the ramp: fewer connections were measured',
    );
  }
  if (points.some((p) => p.generatorBusyPercent >= GENERATOR_CEILING_PERCENT)) {
    lines.push(
      `† a load generator was ≥ ${GENERATOR_CEILING_PERCENT} % busy: that figure is a floor, not the server's ceiling`,
    );
  }
  return lines.join('\n');
}
