// Tree CPU accounting: threads and processes that come and go between two
// samples are counted once, never negatively; live, a process whose threads
// exit within the span agrees with the kernel's own process total.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { procAvailable } from './proc-stats.js';
import {
  cpuSecondsBetween,
  type ProcessCpu,
  sampleTreeCpu,
  type TreeCpuSample,
} from './tree-cpu.js';

/** A process with stat `ticks` and its live threads' CPU as `{ tid: milliseconds }` (null: no schedstat). */
function proc(
  pid: number,
  ticks: number,
  threadMs: Record<number, number> | null,
  over: Partial<ProcessCpu> = {},
): ProcessCpu {
  const threads =
    threadMs && new Map(Object.entries(threadMs).map(([tid, ms]) => [Number(tid), ms * 1e6]));
  return { pid, ppid: 1, ticks, childTicks: 0, threads, ...over };
}

function sample(...processes: ProcessCpu[]): TreeCpuSample {
  return { processes: new Map(processes.map((p) => [`${p.pid}@1`, p])) };
}

describe('cpuSecondsBetween', () => {
  it('uses nanosecond thread times when the same threads are there at both ends', () => {
    const start = sample(proc(10, 100, { 10: 1_000, 11: 3 }));
    const end = sample(proc(10, 100, { 10: 1_004, 11: 6 }));
    // 7 ms, although the 10 ms ticks did not move.
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.007, 9);
  });

  it('counts a thread born in the span whole', () => {
    const start = sample(proc(10, 100, { 10: 1_000 }));
    const end = sample(proc(10, 101, { 10: 1_002, 12: 5 }));
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.007, 9);
  });

  it('is not negative when a busy thread exits in the span: the ticks hold its time', () => {
    // Thread 11 had run 300 ms and ran 150 ms more before exiting.
    const start = sample(proc(10, 130, { 10: 1_000, 11: 300 }));
    const end = sample(proc(10, 145, { 10: 1_001 }));
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.15, 9);
  });

  it('counts threads born and gone between the samples, which only the ticks saw', () => {
    const start = sample(proc(10, 100, { 10: 1_000 }));
    const end = sample(proc(10, 160, { 10: 1_010 }));
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.6, 9);
  });

  it('does not count long-dead threads when a sample falls back to ticks', () => {
    // Thousands of earlier threads' time sits in the ticks at both ends.
    const start = sample(proc(10, 50_000, { 10: 1_000 }));
    const end = sample(proc(10, 50_000, { 10: 1_003 }));
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.003, 9);
  });

  it('treats a tid whose count went down as a new thread', () => {
    const start = sample(proc(10, 100, { 10: 1_000, 11: 80 }));
    const end = sample(proc(10, 100, { 10: 1_000, 11: 2 }));
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.002, 9);
  });

  it('counts a new child process whole, and an exited child through its parent', () => {
    const parent = (childTicks: number) => proc(10, 0, { 10: 0 }, { childTicks });
    const child = proc(20, 0, { 20: 4 }, { ppid: 10 });
    // Started in the span: all 4 ms.
    expect(cpuSecondsBetween(sample(parent(0)), sample(parent(0), child))).toBeCloseTo(0.004, 9);
    // Had 4 ms at the start, exited and was reaped with 20 ms: 16 ms in the span.
    expect(cpuSecondsBetween(sample(parent(0), child), sample(parent(2)))).toBeCloseTo(0.016, 9);
  });

  it('tells a reused pid from the process that had it', () => {
    const start: TreeCpuSample = { processes: new Map([['20@1', proc(20, 0, { 20: 90 })]]) };
    const end: TreeCpuSample = { processes: new Map([['20@7', proc(20, 0, { 20: 1 })]]) };
    // The old process's parent left the tree too, so only the new one counts.
    expect(cpuSecondsBetween(start, end)).toBeCloseTo(0.001, 9);
  });

  it('falls back to ticks where schedstat is missing', () => {
    expect(cpuSecondsBetween(sample(proc(10, 100, null)), sample(proc(10, 112, null)))).toBeCloseTo(
      0.12,
      9,
    );
  });
});

/**
 * A worker thread that burns CPU until the process has spent `cpuSeconds`
 * since the thread started (getrusage is process-wide, so a loaded machine
 * only makes it take longer, never burn less), then exits. `running`
 * resolves once it burns.
 */
function burn(cpuSeconds: number): { running: Promise<void>; done: Promise<void> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const base = process.cpuUsage();
     const cap = Date.now() + 30000;
     parentPort.postMessage('running');
     let x = 0;
     for (;;) {
       for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + 1);
       const used = process.cpuUsage(base);
       if (used.user + used.system >= ${cpuSeconds * 1e6} || Date.now() > cap) break;
     }`,
    { eval: true },
  );
  const running = new Promise<void>((resolve) => worker.once('message', () => resolve()));
  const done = new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', () => resolve());
  });
  return { running, done };
}

const usageSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

describe.runIf(procAvailable())('sampleTreeCpu, live', () => {
  // process.cpuUsage() (getrusage) counts every thread the process ever had:
  // the two must agree to within the ticks' rounding, whatever the threads did.
  const tolerance = 0.03;

  it('counts threads that start and exit between the samples', async () => {
    const usage = process.cpuUsage();
    const start = sampleTreeCpu(process.pid)!;
    await Promise.all([burn(0.15).done, burn(0.15).done]);
    const end = sampleTreeCpu(process.pid)!;
    const expected = usageSeconds(process.cpuUsage(usage));
    expect(expected).toBeGreaterThan(0.1);
    expect(Math.abs(cpuSecondsBetween(start, end) - expected)).toBeLessThan(tolerance);
  });

  it('counts a thread that is running at the first sample and gone by the second', async () => {
    const { running, done } = burn(0.3);
    await running;
    const usage = process.cpuUsage();
    const start = sampleTreeCpu(process.pid)!;
    await done;
    const end = sampleTreeCpu(process.pid)!;
    const expected = usageSeconds(process.cpuUsage(usage));
    const measured = cpuSecondsBetween(start, end);
    expect(measured).toBeGreaterThan(0);
    expect(Math.abs(measured - expected)).toBeLessThan(tolerance);
  });
});
