#!/usr/bin/env node
// `npm run bench:compare -- --servers node-net,async/proactor`: an
// interleaved A/B of two servers. Both servers run at once (pinned to the
// same CPU; the idle one costs nothing) and are measured back to back, in
// alternating order, `--pairs` times per point; the ratio is taken within
// each pair. On a shared machine whose speed drifts by ±10 % over minutes,
// this tells a 5 % difference apart, where the full bench (each server
// measured minutes apart) cannot. Workloads: 64 B ping-pong, connection rate
// (connect → one 64 B echo → close) and idle memory per connection (each
// idle measurement on a fresh start of both servers, as in the full bench:
// an allocator keeps what earlier workloads freed). `--transport unix` runs
// all of it over Unix socket files (a temporary folder, removed at the end).
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROFILES } from './bench-profile.js';
import { formatNumber } from './format-table.js';
import { LoadProcess } from './load-protocol.js';
import { buildNativeLoad } from './native-build.js';
import { NativeLoadGenerator } from './native-load.js';
import { type Pair, type PairedRatio, pairedRatio } from './paired-ratios.js';
import { treeMemory } from './proc-stats.js';
import { listenFlags, type ServerSpec, serverCatalog } from './server-catalog.js';
import { canPin, pinned, type RunningServer, startServer } from './server-process.js';
import { median } from './statistics.js';
import { cpuOverMeasuredSpan } from './tree-cpu.js';
import { UnixSocketDir } from './unix-socket-dir.js';

const USAGE = `usage: node packages/bench/dist/run-compare.js --servers BASELINE,CANDIDATE [--connections 10,100,1000] [--rate 10,100] [--idle 2000] [--idle-settle 15000] [--pairs 5] [--transport tcp|unix]
  --servers      two server names from the bench (e.g. node-net,async/proactor); the ratio is CANDIDATE ÷ BASELINE
  --transport    tcp (default: 127.0.0.1, an ephemeral port) or unix (a socket file in a temporary folder)
  --connections  ping-pong connection counts (default 10,100,1000; 0 = no ping-pong)
  --rate         connection-rate concurrent connectors (default none, e.g. 10,100)
  --idle         idle connections held for memory per connection (default none, e.g. 2000,10000)
  --idle-settle  ms they are held before memory is read (default 15000, the full bench's: V8 gives back its young generation ~8–10 s after the ramp)
  --pairs        back-to-back measurements of both per point (default 5); each takes about 3 s per server`;

/** Each measurement: a quiet ramp, then 0.3 s warmup and 2 × 0.5 s windows. */
const TIMING = { warmupMs: 300, windowMs: 500, windows: 2, rampTimeoutMs: 8_000 };
/** Longest wait for every idle connection to be served once. */
const IDLE_RAMP_TIMEOUT_MS = 60_000;

interface Args {
  servers: [string, string];
  connections: number[];
  rate: number[];
  idle: number[];
  /** Settling time after the idle ramp, before memory is read: by default the full bench's (see there why). */
  idleSettleMs: number;
  pairs: number;
  transport: 'tcp' | 'unix';
}

function counts(value: string, flag: string): number[] {
  const list = value
    .split(',')
    .map(Number)
    .filter((n) => n !== 0);
  if (!list.every((n) => Number.isInteger(n) && n > 0)) {
    throw new Error(`${flag} takes positive integers; see --help`);
  }
  return list;
}

function parseArgs(argv: string[]): Args | 'help' {
  let servers: string[] = [];
  let connections = [10, 100, 1000];
  let rate: number[] = [];
  let idle: number[] = [];
  let idleSettleMs = PROFILES.full.idleSettleMs;
  let pairs = 5;
  let transport: Args['transport'] = 'tcp';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--servers') servers = value().split(',').filter(Boolean);
    else if (arg === '--connections') connections = counts(value(), arg);
    else if (arg === '--rate') rate = counts(value(), arg);
    else if (arg === '--idle') idle = counts(value(), arg);
    else if (arg === '--idle-settle') idleSettleMs = Number(value());
    else if (arg === '--pairs') pairs = Number(value());
    else if (arg === '--transport') {
      const v = value();
      if (v !== 'tcp' && v !== 'unix') throw new Error('--transport is tcp or unix; see --help');
      transport = v;
    } else throw new Error(`unknown flag ${arg}; see --help`);
  }
  if (servers.length !== 2) throw new Error(`--servers takes exactly two names; see --help`);
  if (connections.length + rate.length + idle.length === 0) {
    throw new Error('nothing to measure; see --help');
  }
  if (!Number.isInteger(pairs) || pairs < 1)
    throw new Error(`--pairs takes a positive integer; see --help`);
  if (!Number.isInteger(idleSettleMs) || idleSettleMs < 0)
    throw new Error(`--idle-settle takes milliseconds, 0 or more; see --help`);
  return {
    servers: servers as [string, string],
    connections,
    rate,
    idle,
    idleSettleMs,
    pairs,
    transport,
  };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/**
 * One ping-pong or connection-rate measurement: messages (or connect → echo
 * → close cycles) per second, and the server's CPU per message (or cycle).
 */
async function measure(
  load: NativeLoadGenerator,
  server: RunningServer,
  workload: 'ping-pong' | 'rate',
  n: number,
): Promise<Pair['baseline']> {
  let cpuSeconds: number | null = null;
  const { target } = server;
  const options = {
    ...TIMING,
    onMeasure: cpuOverMeasuredSpan(server.pid, (seconds) => {
      cpuSeconds = seconds;
    }),
  };
  const result =
    workload === 'ping-pong'
      ? await load.pingPong(target, { connections: n, ...options })
      : await load.connectionRate(target, { concurrency: n, ...options });
  if (result.corruption) throw new Error(`corrupted echo: ${result.corruption}`);
  if (workload === 'ping-pong' && result.served < n) {
    progress(`  (${result.served} of ${n} connections served)`);
  }
  if (result.errors > 0) progress(`  (${result.errors} socket errors: ${result.firstError})`);
  const units = result.windows.reduce(
    (sum, w) => sum + (workload === 'ping-pong' ? w.messages : w.cycles),
    0,
  );
  const ms = result.windows.reduce((sum, w) => sum + w.ms, 0);
  if (units === 0) throw new Error(`nothing measured: ${workload} @${n}`);
  return {
    msgsPerSec: (units / ms) * 1000,
    cpuUsPerMsg: cpuSeconds === null ? null : (cpuSeconds * 1e6) / units,
  };
}

/** Opens `connections` idle connections to `server`; KiB of anonymous PSS each (null without /proc). */
async function idleKiB(
  load: LoadProcess,
  server: RunningServer,
  connections: number,
  settleMs: number,
): Promise<number | null> {
  const { target } = server;
  const before = treeMemory(server.pid);
  const answer = await load.request({
    op: 'open-idle',
    target,
    options: { connections, rampTimeoutMs: IDLE_RAMP_TIMEOUT_MS },
  });
  if (!('idle' in answer)) throw new Error('unexpected answer to open-idle');
  await sleep(settleMs);
  const after = treeMemory(server.pid);
  await load.request({ op: 'close-idle', target });
  const { idle } = answer;
  if (idle.corruption) throw new Error(`corrupted echo: ${idle.corruption}`);
  if (idle.served < connections) {
    progress(`  (${idle.served} of ${connections} idle connections served, ${idle.errors} errors)`);
  }
  if (!before || !after || idle.opened === 0) return null;
  return (after.anon - before.anon) / 1024 / idle.opened;
}

/** Starts `spec` pinned to `cpu` on an ephemeral port, or on the socket file `unixPath`. */
function start(
  spec: ServerSpec,
  cpu: number | null,
  unixPath: string | null,
): Promise<RunningServer> {
  return startServer(pinned([...spec.command!, ...listenFlags(unixPath)], cpu));
}

/** Measures `a` and `b` in the pair's order (alternating per pair), returns them as [baseline, candidate]. */
async function interleaved<T>(i: number, measure: (which: 0 | 1) => Promise<T>): Promise<[T, T]> {
  if (i % 2 === 0) {
    const a = await measure(0);
    return [a, await measure(1)];
  }
  const b = await measure(1);
  return [await measure(0), b];
}

function range(r: PairedRatio['msgsPerSec']): string {
  return `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

function ratioRow(point: number, r: PairedRatio, absolute: [number, number]): string {
  const cpu = r.cpuPerMsg ? range(r.cpuPerMsg) : '—';
  return `| ${point} | ${formatNumber(absolute[0])} | ${formatNumber(absolute[1])} | ${range(r.msgsPerSec)} | ${r.candidateAhead} of ${r.pairs} | ${r.bestOfEach.toFixed(2)}× | ${cpu} |`;
}

function table(title: string, unit: string, rows: string[]): string[] {
  if (rows.length === 0) return [];
  return [
    title,
    '',
    `| ${unit} | baseline /s (median) | candidate /s (median) | candidate ÷ baseline | candidate ahead | best ÷ best | server CPU per unit |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ];
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const catalog = serverCatalog();
  const specs = args.servers.map((name) => {
    const spec = catalog.find((s) => s.name === name);
    if (!spec)
      throw new Error(`unknown server ${name}; known: ${catalog.map((s) => s.name).join(', ')}`);
    if (!spec.command) throw new Error(`${name} cannot run here: ${spec.skipped}`);
    if (args.transport === 'unix' && spec.tcpOnly)
      throw new Error(`${name} cannot listen on a Unix socket: ${spec.tcpOnly}`);
    return spec;
  }) as [ServerSpec, ServerSpec];
  const build = buildNativeLoad();
  if (build.binary === null) throw new Error(`the C load generator is needed: ${build.reason}`);
  const pin = canPin(os.cpus().length);
  const serverCpu = pin ? 0 : null;
  const load = new NativeLoadGenerator(build.binary, pin ? 1 : null);
  const idleLoad = args.idle.length > 0 ? new LoadProcess(pin ? 1 : null) : null;
  const unixDir = args.transport === 'unix' ? new UnixSocketDir() : null;
  let servers: RunningServer[] = [];
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
  };
  const startAll = async () => {
    for (const spec of specs) servers.push(await start(spec, serverCpu, unixDir?.next() ?? null));
  };
  const over = args.transport === 'unix' ? ' over a Unix socket' : '';
  const names = `${specs[1].name} ÷ ${specs[0].name}${over}`;
  try {
    await startAll();
    progress(`${names}, ${args.pairs} interleaved pairs per point`);
    const throughput = async (
      kind: string,
      points: number[],
      run: (server: RunningServer, n: number) => Promise<Pair['baseline']>,
    ): Promise<string[]> => {
      const rows: string[] = [];
      for (const n of points) {
        const pairs: Pair[] = [];
        for (let i = 0; i < args.pairs; i++) {
          const [baseline, candidate] = await interleaved(i, (w) => run(servers[w]!, n));
          pairs.push({ baseline, candidate });
          progress(
            `  ${kind} @${n} pair ${i + 1}: ${formatNumber(baseline.msgsPerSec)} vs ${formatNumber(candidate.msgsPerSec)} /s`,
          );
        }
        const abs = [0, 1].map((w) =>
          median(pairs.map((p) => (w === 0 ? p.baseline : p.candidate).msgsPerSec)),
        ) as [number, number];
        rows.push(ratioRow(n, pairedRatio(pairs), abs));
      }
      return rows;
    };
    const pingRows = await throughput('ping-pong', args.connections, (s, n) =>
      measure(load, s, 'ping-pong', n),
    );
    const rateRows = await throughput('rate', args.rate, (s, n) => measure(load, s, 'rate', n));
    const idleRows: string[] = [];
    for (const n of args.idle) {
      const kib: [number, number][] = [];
      await stopAll();
      for (let i = 0; i < args.pairs; i++) {
        // A fresh start of each server right before its own measurement:
        // allocators keep what earlier connections freed, and a Node server
        // gives back the young generation it grew in the ramp only if V8's
        // memory reducer runs after the ramp — its first run is ~8 s after
        // the process starts. Started together, the second server measured
        // ramped ~20 s after its start, the first at once: the pair's order
        // swung async/proactor by ~2.5 KiB per connection at 2,000.
        const pair = await interleaved(i, async (w) => {
          const server = await start(specs[w]!, serverCpu, unixDir?.next() ?? null);
          try {
            return await idleKiB(idleLoad!, server, n, args.idleSettleMs);
          } finally {
            await server.stop();
          }
        });
        if (pair[0] === null || pair[1] === null) throw new Error('idle memory needs /proc');
        kib.push(pair as [number, number]);
        progress(
          `  idle @${n} pair ${i + 1}: ${pair[0].toFixed(1)} vs ${pair[1].toFixed(1)} KiB/conn`,
        );
      }
      const ratios = kib.map(([a, b]) => b / a);
      const col = (w: 0 | 1) => kib.map((p) => p[w]);
      const span = (v: number[]) =>
        `${median(v).toFixed(1)} (${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;
      idleRows.push(
        `| ${n} | ${span(col(0))} | ${span(col(1))} | ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`,
      );
    }
    const idleTable =
      idleRows.length === 0
        ? []
        : [
            `${names}: idle memory per connection (anonymous PSS growth ÷ connections; a fresh start of each server per measurement; median, range)`,
            '',
            '| idle connections | baseline KiB | candidate KiB | candidate ÷ baseline (lower = leaner) |',
            '|---:|---:|---:|---:|',
            ...idleRows,
            '',
          ];
    process.stdout.write(
      [
        ...table(
          `${names}: 64 B ping-pong, interleaved pairs (median, range)`,
          'connections',
          pingRows,
        ),
        ...table(
          `${names}: connection rate (connect → 64 B echo → close), interleaved pairs (median, range)`,
          'connectors',
          rateRows,
        ),
        ...idleTable,
      ].join('\n'),
    );
    return 0;
  } finally {
    await stopAll();
    idleLoad?.close();
    unixDir?.remove();
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`run-compare: ${error.message}\n`);
    process.exit(2);
  },
);
