// CPU time a process tree uses between two moments, from /proc (Linux).
//
// A sample is what /proc shows at one moment; the CPU between two samples is
// worked out from both, not by subtracting two totals, because no single
// /proc figure is both precise and complete:
// - /proc/<pid>/task/<tid>/schedstat: nanoseconds, but only for threads alive
//   at that moment. A server that starts a thread per connection (Python's
//   ThreadingTCPServer) loses threads between samples, and summing live
//   threads then gave negative CPU, or, mixed with stat's totals, 4× too much.
// - /proc/<pid>/stat utime + stime: every thread the process ever had, dead
//   ones included, but in 10 ms ticks (each field rounded down), which rounds
//   a forked child's few milliseconds to nothing.
// So per process: the tracked threads' nanoseconds (threads in both samples:
// the difference; threads new at the end: all of it), unless stat's ticks
// grew by more than their rounding beyond that — then threads no sample
// tracked (exited in between, or born and gone) ran, and the ticks are the
// figure. Reaped children come in through the parent's cutime + cstime.
import { readdirSync, readFileSync } from 'node:fs';
import { procAvailable, processTree, statFields } from './proc-stats.js';

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;
/** utime and stime are each rounded down to a tick, so their sum's difference can be 2 ticks off. */
const TICK_SLACK_SECONDS = 2 / TICKS_PER_SECOND;

/** One process as a sample saw it. */
export interface ProcessCpu {
  pid: number;
  ppid: number;
  /** stat utime + stime, ticks: every thread the process has had, dead ones included. */
  ticks: number;
  /** stat cutime + cstime, ticks: reaped children (and what they reaped). */
  childTicks: number;
  /** Nanoseconds on CPU of each live thread (schedstat), by tid; null where schedstat is missing. */
  threads: Map<number, number> | null;
}

/** A process tree's CPU counters at one moment, keyed by pid and start time (a reused pid is another process). */
export interface TreeCpuSample {
  processes: Map<string, ProcessCpu>;
}

/** Reads the CPU counters of `root` and its live descendants; null without /proc. */
export function sampleTreeCpu(root: number): TreeCpuSample | null {
  if (!procAvailable()) return null;
  const processes = new Map<string, ProcessCpu>();
  for (const pid of processTree(root)) {
    // stat first: what the threads show afterwards is then never less than it.
    const f = statFields(pid);
    if (!f) continue;
    // stat fields 4, 14..17 and 22 (ppid, utime, stime, cutime, cstime, starttime) are indices 1, 11..14, 19 here.
    processes.set(`${pid}@${f[19]}`, {
      pid,
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]),
      childTicks: Number(f[13]) + Number(f[14]),
      threads: threadNanos(pid),
    });
  }
  return { processes };
}

/**
 * A load generator's `onMeasure` that samples `root`'s tree at the measured
 * span's start and end and hands `onCpu` the CPU seconds between (null when
 * the end sample failed; not called without a start sample).
 */
export function cpuOverMeasuredSpan(
  root: number,
  onCpu: (seconds: number | null) => void,
): (phase: 'start' | 'end') => void {
  let start: TreeCpuSample | null = null;
  return (phase) => {
    if (phase === 'start') start = sampleTreeCpu(root);
    else if (start !== null) {
      const end = sampleTreeCpu(root);
      onCpu(end === null ? null : cpuSecondsBetween(start, end));
    }
  };
}

/** CPU seconds the tree used between two samples of it. */
export function cpuSecondsBetween(start: TreeCpuSample, end: TreeCpuSample): number {
  let seconds = 0;
  for (const [key, now] of end.processes) {
    const before = start.processes.get(key);
    seconds +=
      ownSeconds(before, now) + (now.childTicks - (before?.childTicks ?? 0)) / TICKS_PER_SECOND;
  }
  const endPids = new Set([...end.processes.values()].map((p) => p.pid));
  for (const [key, before] of start.processes) {
    // An exited child's whole life is now in its parent's child ticks (once
    // reaped; a zombie still shows in the sample): take off what it had used
    // before the span. One whose parent left the tree too is lost either way.
    if (!end.processes.has(key) && endPids.has(before.ppid)) {
      seconds -= ownSeconds(undefined, before) + before.childTicks / TICKS_PER_SECOND;
    }
  }
  return seconds;
}

/** CPU one process's own threads used since `before` (since it started, when there is no `before`). */
function ownSeconds(before: ProcessCpu | undefined, now: ProcessCpu): number {
  const ticks = (now.ticks - (before?.ticks ?? 0)) / TICKS_PER_SECOND;
  if (!now.threads || (before && !before.threads)) return ticks;
  let nanos = 0;
  for (const [tid, ns] of now.threads) {
    const was = before?.threads?.get(tid);
    // A smaller count under a known tid is a new thread that reused the tid.
    nanos += was !== undefined && ns >= was ? ns - was : ns;
  }
  const tracked = nanos / 1e9;
  return ticks - tracked > TICK_SLACK_SECONDS ? ticks : tracked;
}

/** Nanoseconds on CPU (first schedstat field) of each live thread of `pid`, or null. */
function threadNanos(pid: number): Map<number, number> | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const threads = new Map<number, number>();
  for (const tid of tids) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8');
    } catch {
      // Exited since the listing (its time is in stat's ticks), or no schedstat at all.
      continue;
    }
    threads.set(Number(tid), Number(text.split(' ')[0]));
  }
  return threads.size > 0 ? threads : null;
}
