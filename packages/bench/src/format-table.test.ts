import { describe, expect, it } from 'vitest';
import { PROFILES } from './bench-profile.js';
import type { BenchResults, PingPongFigure, ServerResult } from './bench-results.js';
import {
  absoluteTable,
  formatNumber,
  formatRatio,
  formatTable,
  generatorLine,
  latencyTable,
  rampTable,
  ratioTable,
  report,
  unixTable,
} from './format-table.js';

describe('formatNumber', () => {
  it('keeps three significant digits with k and M suffixes', () => {
    expect(formatNumber(186_000)).toBe('186k');
    expect(formatNumber(5_271)).toBe('5.27k');
    expect(formatNumber(18_640)).toBe('18.6k');
    expect(formatNumber(1_234_567)).toBe('1.23M');
    expect(formatNumber(812)).toBe('812');
    expect(formatNumber(10.94)).toBe('10.9');
    expect(formatNumber(0.5)).toBe('0.5');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(-2.224)).toBe('-2.22');
  });

  it('shows a dash for missing figures', () => {
    expect(formatNumber(null)).toBe('—');
    expect(formatNumber(undefined)).toBe('—');
    expect(formatNumber(Number.NaN)).toBe('—');
  });
});

describe('formatRatio', () => {
  it('divides by the baseline', () => {
    expect(formatRatio(186, 186)).toBe('1.00×');
    expect(formatRatio(229, 186)).toBe('1.23×');
    expect(formatRatio(2_000, 100)).toBe('20.0×');
  });

  it('has no ratio to a missing, zero or negative figure', () => {
    expect(formatRatio(1, 0)).toBe('—');
    expect(formatRatio(null, 1)).toBe('—');
    expect(formatRatio(1, undefined)).toBe('—');
    expect(formatRatio(-2, 3)).toBe('—');
  });
});

describe('formatTable', () => {
  it('pads columns: first left-aligned, the rest right-aligned, as Markdown', () => {
    const table = formatTable(
      ['server', 'msgs/s'],
      [
        ['a', '1'],
        ['longer', '186k'],
      ],
    );
    expect(table).toBe(
      [
        '| server | msgs/s |',
        '|--------|-------:|',
        '| a      |      1 |',
        '| longer |   186k |',
      ].join('\n'),
    );
  });
});

/** A Unix-socket ping-pong figure at 10 connections (the smoke profile's one count). */
function unixAt10(msgsPerSec: number, over: Partial<PingPongFigure> = {}): PingPongFigure {
  return {
    connections: 10,
    msgsPerSec,
    p50Us: 40,
    p99Us: 400,
    served: 10,
    rampMs: 5,
    rampRoundsMs: [5],
    cpuUsPerMsg: 8,
    loadCpuPercent: 40,
    samples: [],
    ...over,
  };
}

function server(name: string, over: Partial<ServerResult> = {}): ServerResult {
  return {
    name,
    description: name,
    kind: 'model',
    status: 'measured',
    pingPong: [1, 10].map((connections) => ({
      connections,
      msgsPerSec: connections * 10_000,
      p50Us: 50,
      p99Us: 900,
      served: connections,
      rampMs: connections * 2.4,
      rampRoundsMs: [connections * 2.4],
      cpuUsPerMsg: 10,
      loadCpuPercent: 40,
      samples: [],
    })),
    unixPingPong: [unixAt10(150_000)],
    bulk: { connections: 2, mbPerSec: 500, served: 2, loadCpuPercent: 40, samples: [] },
    connectionRate: { concurrency: 2, perSec: 3_000, loadCpuPercent: 40, samples: [] },
    memory: [
      {
        connections: 50,
        opened: 50,
        served: 50,
        kibPerConnection: 10,
        pssBeforeKiB: 1,
        pssAfterKiB: 2,
        rssAfterKiB: 2,
        processes: 1,
      },
    ],
    idleCpuPercent: 0,
    corruption: null,
    errors: 0,
    notes: [],
    ...over,
  };
}

const results: BenchResults = {
  machine: {
    date: '2026-01-02T03:04:05.000Z',
    cpu: 'Test CPU',
    cores: 2,
    memoryGiB: 4,
    os: 'Linux',
    node: 'v20.19.0',
  },
  profile: PROFILES.smoke,
  pinning: { server: 0, load: 1 },
  generators: {
    pingPong: 'c-epoll',
    connectionRate: 'c-epoll',
    bulk: 'node',
    idleMemory: 'node',
    fallback: null,
  },
  durationSec: 12,
  servers: [
    server('node-net', { kind: 'baseline' }),
    server('fast', {
      pingPong: [
        {
          connections: 1,
          msgsPerSec: 20_000,
          p50Us: 40,
          p99Us: 500,
          served: 1,
          rampMs: 3,
          rampRoundsMs: [3],
          cpuUsPerMsg: 5,
          loadCpuPercent: 95,
          samples: [],
        },
        {
          connections: 10,
          msgsPerSec: 50_000,
          p50Us: 60,
          p99Us: 700,
          served: 4,
          rampMs: 1_500.4,
          rampRoundsMs: [1_500.4],
          cpuUsPerMsg: 5,
          loadCpuPercent: 50,
          samples: [],
        },
      ],
      unixPingPong: [unixAt10(300_000, { served: 6, loadCpuPercent: 95 })],
    }),
    server('gone', {
      status: 'skipped',
      reason: 'not built',
      pingPong: [],
      unixPingPong: [],
      bulk: null,
      connectionRate: null,
      memory: [],
      idleCpuPercent: null,
    }),
  ],
};

describe('result tables', () => {
  it('prints absolute figures, marking starved (*) and load-bound (†) cells', () => {
    const table = absoluteTable(results);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^\| server +\| msgs\/s @1 \| msgs\/s @10 \| CPU µs\/msg @10 \| bulk MB\/s @2 \| conn\/s \| KiB\/conn @50 \| idle CPU % \|$/,
    );
    expect(lines[2]).toMatch(
      /^\| node-net +\| +10k \| +100k \| +10 \| +500 \| +3k \| +10 \| +0 \|$/,
    );
    expect(lines[3]).toContain('20k†');
    expect(lines[3]).toContain('50k*');
    expect(lines[4]).toMatch(/^\| gone \(skipped\) +\|( +— \|){7}$/);
  });

  it('prints ratios to node-net', () => {
    const lines = ratioTable(results).split('\n');
    expect(lines[2]).toContain('1.00×');
    expect(lines[3]).toMatch(/\| +2\.00× \| +0\.50× \| +0\.50× \|/);
    expect(lines[0]).not.toContain('idle CPU');
  });

  it('prints p50 / p99 latencies', () => {
    expect(latencyTable(results).split('\n')[3]).toContain('40 / 500');
  });

  it('prints how long each ping-pong ramp took, starring ramps that left connections unserved', () => {
    const lines = rampTable(results).split('\n');
    expect(lines[0]).toMatch(/^\| server +\| ramp ms @1 \| ramp ms @10 \|$/);
    expect(lines[2]).toMatch(/^\| node-net +\| +2 \| +24 \|$/);
    expect(lines[3]).toMatch(/^\| fast +\| +3 \| +1500\* \|$/);
    expect(lines[4]).toMatch(/^\| gone \(skipped\) +\| +— \| +— \|$/);
    expect(report(results)).toContain(rampTable(results));
  });

  it('puts date, machine, Node version and footnotes in the report', () => {
    const text = report(results);
    expect(text).toContain('2026-01-02 03:04 UTC');
    expect(text).toContain('Test CPU, 2 cores');
    expect(text).toContain('Node v20.19.0');
    expect(text).toContain('fast msgs/s @10: 4 of 10 connections served');
    expect(text).toContain('† the load generator');
    expect(text).toContain('gone: not built');
    expect(text).toContain(
      'load generator: C epoll (native/pingpong.c) for ping-pong, connection rate; Node net for bulk, idle memory',
    );
  });

  it('prints the Unix-socket ping-pong: msgs/s, ratio to node-net over Unix, TCP beside it', () => {
    const withRing: BenchResults = {
      ...results,
      servers: [
        ...results.servers,
        server('ring', { unixPingPong: [], tcpOnly: 'io_uring accepts TCP only' }),
      ],
    };
    const lines = unixTable(withRing).split('\n');
    expect(lines[0]).toMatch(
      /^\| server +\| unix msgs\/s @10 \| ÷ node-net unix @10 \| TCP msgs\/s @10 \|$/,
    );
    expect(lines[2]).toMatch(/^\| node-net +\| +150k \| +1\.00× \| +100k \|$/);
    expect(lines[3]).toMatch(/^\| fast +\| +300k\*† \| +2\.00× \| +50k\* \|$/);
    expect(lines[4]).toMatch(/^\| gone \(skipped\) +\|( +— \|){3}$/);
    expect(lines[5]).toMatch(/^\| ring \(TCP only\) +\| +— \| +— \| +100k \|$/);
    const text = report(withRing);
    expect(text).toContain(unixTable(withRing));
    expect(text).toContain('fast unix msgs/s @10: 6 of 10 connections served');
    expect(text).toContain('TCP only:\n  ring: io_uring accepts TCP only');
  });

  it('says when the Node generator measured everything, and why', () => {
    const line = generatorLine({
      pingPong: 'node',
      connectionRate: 'node',
      bulk: 'node',
      idleMemory: 'node',
      fallback: 'no C compiler (cc, gcc)',
    });
    expect(line).toBe(
      'Node net for every workload (C generator not used: no C compiler (cc, gcc))',
    );
  });
});
