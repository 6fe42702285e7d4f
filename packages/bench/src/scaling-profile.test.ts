import { describe, expect, it } from 'vitest';
import {
  cpuList,
  formatScaling,
  planScaling,
  type ScalingPoint,
  splitCpus,
  workerCounts,
} from './scaling-profile.js';

describe('splitCpus', () => {
  it('gives a 2-core machine N = 1 and says a larger machine is needed', () => {
    const split = splitCpus(2);
    expect(split).toMatchObject({ serverCpus: 1, generatorCpus: [1] });
    expect(split.note).toMatch(/N = 1 only — a machine with more cores is needed/);
  });

  it('keeps a quarter of a larger machine for the load generators, one process per CPU', () => {
    expect(splitCpus(16)).toMatchObject({ serverCpus: 12, generatorCpus: [12, 13, 14, 15] });
    expect(splitCpus(16, 8).generatorCpus).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it('runs unpinned on one CPU', () => {
    expect(splitCpus(1)).toMatchObject({ serverCpus: 1, generatorCpus: [] });
  });

  it.each([0, 2, 1.5, Number.NaN])('refuses --server-cpus %s on 2 cores', (n) => {
    expect(() => splitCpus(2, n)).toThrow(/--server-cpus takes 1 to 1 here/);
  });
});

describe('cpuList and workerCounts', () => {
  it('writes CPUs as taskset takes them', () => {
    expect(cpuList([0])).toBe('0');
    expect(cpuList([3, 0, 1, 2])).toBe('0-3');
    expect(cpuList([5, 7])).toBe('5,7');
  });

  it('doubles the workers up to N, N included', () => {
    expect(workerCounts(1)).toEqual([1]);
    expect(workerCounts(12)).toEqual([1, 2, 4, 8, 12]);
    expect(workerCounts(8)).toEqual([1, 2, 4, 8]);
  });
});

describe('planScaling', () => {
  it('on 2 cores: every server once, on one core', () => {
    const runs = planScaling(splitCpus(2));
    expect(runs.every((run) => run.cpus === 1 && run.workers === 1)).toBe(true);
    expect(runs.map((run) => run.server)).toEqual([
      'multiplex/reactor',
      'async/proactor',
      'blocking/threading',
      'python/threading',
      'blocking/forking',
      'python/forking',
    ]);
  });

  it('on 16 cores: workers = cores for the event loops, 1 and N cores for the rest', () => {
    const runs = planScaling(splitCpus(16), ['reactor', 'threading']);
    expect(runs.filter((run) => run.server === 'multiplex/reactor')).toEqual(
      [1, 2, 4, 8, 12].map((k) => ({ server: 'multiplex/reactor', cpus: k, workers: k })),
    );
    expect(runs.filter((run) => run.server === 'python/threading').map((run) => run.cpus)).toEqual([
      1, 12,
    ]);
    expect(runs.some((run) => run.server === 'async/proactor')).toBe(false);
  });
});

describe('formatScaling', () => {
  const point = (over: Partial<ScalingPoint>): ScalingPoint => ({
    server: 'multiplex/reactor',
    cpus: 1,
    workers: 1,
    connections: 10,
    msgsPerSec: 100_000,
    serverCores: 1,
    generatorBusyPercent: 50,
    served: 10,
    errors: 0,
    ...over,
  });

  it('gives ratios within the run and marks a point the generator capped', () => {
    const text = formatScaling(splitCpus(4, 2), [
      point({}),
      point({ cpus: 2, workers: 2, msgsPerSec: 180_000, serverCores: 1.9 }),
      point({ server: 'blocking/threading', msgsPerSec: 40_000 }),
      point({ server: 'python/threading', msgsPerSec: 50_000, generatorBusyPercent: 95 }),
      point({ server: 'blocking/forking', connections: 100, msgsPerSec: 9_000, served: 25 }),
    ]);
    expect(text).toContain('| blocking/forking | 1 | 100 | 9k* | — | — |');
    expect(text).toMatch(/^\* some connections were not served once within the ramp/m);
    expect(text).toContain('| multiplex/reactor | 2 | 10 | 180k | 1.80× | 1.9 |');
    expect(text).toContain('| blocking/threading | 1 | 10 | 40k | 50k † | 0.80× | 1.0 / 1.0 |');
    expect(text).toMatch(/^† a load generator was ≥ 90 % busy/m);
  });
});
