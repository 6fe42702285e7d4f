#!/usr/bin/env node
// `npm run bench [-- --quick | --smoke]`: starts every available server in
// turn as its own process, drives the same load at it from a separate load
// generator process, and prints tables, writes results.json and a chart.
// `--profile scaling` runs the multi-core profile instead (run-scaling.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchProfile, PROFILES, type Timing } from './bench-profile.js';
import {
  type BenchResults,
  type Generators,
  type MemoryFigure,
  type ServerResult,
  ServerSamples,
} from './bench-results.js';
import { formatNumber, generatorLine, report } from './format-table.js';
import type { MeasureOptions, Target, WorkloadResult } from './load-generator.js';
import { LoadProcess } from './load-protocol.js';
import { machineInfo } from './machine-info.js';
import { buildNativeLoad } from './native-build.js';
import { NativeLoadGenerator } from './native-load.js';
import { pingPongChartSvg } from './pingpong-chart.js';
import { treeMemory } from './proc-stats.js';
import { runScaling, scalingArgv } from './run-scaling.js';
import { listenFlags, type ServerSpec, selectServers, serverCatalog } from './server-catalog.js';
import { canPin, pinned, type RunningServer, startServer } from './server-process.js';
import { cpuOverMeasuredSpan, cpuSecondsBetween, sampleTreeCpu } from './tree-cpu.js';
import { UnixSocketDir } from './unix-socket-dir.js';

const USAGE = `usage: node packages/bench/dist/run-bench.js [--smoke | --quick | --profile smoke|quick|full|scaling] [--only NAME[,NAME...]] [--generator c|node] [--out DIR | --no-write]
  (no flag)  full run: 3 rounds, every workload, idle memory at 2,000 and 10,000 connections (≈ 28 min)
  --profile scaling  the multi-core profile: servers pinned to 1..N cores, load generators to the rest
             (its own flags: --profile scaling --help)
  --quick    1 round, shorter windows, idle memory at 1,000 only (2–3 min)
  --smoke    seconds: every server briefly, echo checked byte-exact, no speed judged;
             exits 1 if a server fails to start, corrupts data or serves nothing; writes no files unless --out
  --only     measure only servers whose name contains one of these strings (node-net is always kept as the baseline)
  --generator  c (default): ping-pong and connection rate by the C epoll generator, compiled at start
             (falls back to node, saying why, when there is no C compiler); node: the Node generator for all
  --out      folder for results.json and pingpong.svg (default: docs/bench of the repository)
  Every profile also runs the ping-pong over a Unix socket file (full: every count; quick: 100; smoke: 10)
  for each server that can listen on one, in a temporary folder removed at the end.`;

interface Args {
  profile: BenchProfile;
  only: string[] | null;
  out: string | null;
  generator: 'c' | 'node';
}

const defaultOut = fileURLToPath(new URL('../../../docs/bench/', import.meta.url));

function parseArgs(argv: string[]): Args | 'help' {
  let name: BenchProfile['name'] = 'full';
  let only: string[] | null = null;
  let out: string | null | undefined;
  let generator: Args['generator'] = 'c';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--quick') name = 'quick';
    else if (arg === '--smoke') name = 'smoke';
    else if (arg === '--full') name = 'full';
    else if (arg === '--profile') {
      const value = argv[++i] as BenchProfile['name'];
      if (!Object.hasOwn(PROFILES, value))
        throw new Error(`--profile is smoke, quick, full or scaling\n${USAGE}`);
      name = value;
    } else if (arg === '--only') only = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--out') out = argv[++i] ?? defaultOut;
    else if (arg === '--no-write') out = null;
    else if (arg === '--generator') {
      const value = argv[++i];
      if (value !== 'c' && value !== 'node') throw new Error(`--generator is c or node\n${USAGE}`);
      generator = value;
    } else throw new Error(`unknown flag ${arg}\n${USAGE}`);
  }
  if (out === undefined) out = name === 'smoke' ? null : defaultOut;
  return { profile: PROFILES[name], only, out, generator };
}

const began = Date.now();
/** Progress on stderr, each line stamped with the seconds since the start. */
const progress = (line: string) =>
  process.stderr.write(`${((Date.now() - began) / 1000).toFixed(1).padStart(6)} s  ${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Everything one server's measurement needs, alive for one start of the server. */
interface Session {
  spec: ServerSpec;
  server: RunningServer;
  target: Target;
  /** The C generator for ping-pong and connection rate, or null: the Node one drives those too. */
  native: NativeLoadGenerator | null;
  result: ServerResult;
  /** Where this start's ping-pong figures go: the TCP ones, or the Unix-socket ones. */
  samples: ServerSamples;
  /** What the server listens on in this start. */
  transport: 'tcp' | 'unix';
  tag: string;
}

async function main(): Promise<number> {
  const scaling = scalingArgv(process.argv.slice(2));
  if (scaling) return runScaling(scaling);
  const args = parseArgs(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { profile } = args;
  const startedAt = Date.now();
  const machine = machineInfo();
  const pinning = canPin(os.cpus().length) ? { server: 0, load: 1 } : null;
  const specs = selectServers(serverCatalog(), args.only);
  progress(
    `iomodels bench: ${profile.name}; ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}`,
  );
  progress(
    pinning
      ? 'pinning: server → CPU 0, load generator → CPU 1'
      : 'pinning: none (no taskset or 1 CPU)',
  );
  const { native, generators } = chooseGenerators(args.generator, pinning?.load ?? null);
  progress(`load generator: ${generatorLine(generators)}`);
  const results = new Map<string, ServerResult>();
  const samples = new Map<string, ServerSamples>();
  const unixSamples = new Map<string, ServerSamples>();
  for (const spec of specs) {
    results.set(spec.name, {
      name: spec.name,
      description: spec.description,
      kind: spec.kind,
      status: spec.command ? 'measured' : 'skipped',
      ...(spec.skipped ? { reason: spec.skipped } : {}),
      pingPong: [],
      unixPingPong: [],
      ...(spec.tcpOnly ? { tcpOnly: spec.tcpOnly } : {}),
      bulk: null,
      connectionRate: null,
      memory: [],
      idleCpuPercent: null,
      corruption: null,
      errors: 0,
      notes: [],
    });
    samples.set(spec.name, new ServerSamples());
    unixSamples.set(spec.name, new ServerSamples());
    progress(
      `  ${spec.command ? 'measure' : 'skip   '} ${spec.name}${spec.skipped ? ` (${spec.skipped})` : ''}`,
    );
  }

  const load = new LoadProcess(pinning?.load ?? null);
  // Socket files of the Unix-socket starts; removed when the run ends, however it ends.
  const unixDir = profile.unixPingPongConnections.length > 0 ? new UnixSocketDir() : null;
  let current: RunningServer | null = null;
  const interrupt = () => {
    progress('interrupted: stopping the server under test');
    void (current?.stop(500) ?? Promise.resolve()).finally(() => {
      load.close();
      unixDir?.remove();
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const runnable = specs.filter((s) => s.command);
  for (let round = 1; round <= profile.rounds; round++) {
    // Alternate the order so no server always runs first or last in a round.
    const order = round % 2 === 1 ? runnable : [...runnable].reverse();
    for (const [index, spec] of order.entries()) {
      const tag = `[${profile.rounds > 1 ? `round ${round}/${profile.rounds} ` : ''}${index + 1}/${order.length}] ${spec.name}`;
      for (const step of plan(profile, round)) {
        const result = results.get(spec.name)!;
        if (result.status === 'failed' || result.corruption) break;
        if (step.unix && (spec.tcpOnly || !unixDir)) continue;
        try {
          const command = pinned(
            [...spec.command!, ...listenFlags(step.unix ? unixDir!.next() : null)],
            pinning?.server ?? null,
          );
          current = await startServer(command);
        } catch (error) {
          result.status = 'failed';
          result.reason = `did not start: ${(error as Error).message}`;
          progress(`${tag}: FAILED to start: ${(error as Error).message}`);
          break;
        }
        const server = current;
        const session: Session = {
          spec,
          server,
          target: server.target,
          native,
          result,
          samples: (step.unix ? unixSamples : samples).get(spec.name)!,
          transport: step.unix ? 'unix' : 'tcp',
          tag: step.unix ? `${tag} (unix)` : tag,
        };
        try {
          await measureServer(session, load, profile, step);
        } catch (error) {
          result.status = 'failed';
          result.reason = (error as Error).message;
          progress(`${tag}: FAILED: ${(error as Error).message}`);
        }
        const stopped = await server.stop();
        current = null;
        if (stopped.killed) result.notes.push('did not exit within 5 s of SIGTERM; killed');
        else if (stopped.code !== 0 && stopped.signal !== 'SIGTERM' && round === 1) {
          result.notes.push(`exited with ${stopped.signal ?? stopped.code} on SIGTERM`);
        }
      }
    }
  }
  load.close();
  unixDir?.remove();

  for (const spec of specs) {
    const result = results.get(spec.name)!;
    const s = samples.get(spec.name)!;
    result.pingPong = s.pingPongFigures();
    result.unixPingPong = unixSamples.get(spec.name)!.pingPongFigures();
    result.bulk = s.bulkFigure(profile.bulkConnections);
    result.connectionRate = s.rateFigure(profile.connectionRateConcurrency);
  }
  const bench: BenchResults = {
    machine,
    profile,
    pinning,
    generators,
    durationSec: (Date.now() - startedAt) / 1000,
    servers: [...results.values()],
  };
  process.stdout.write(`\n${report(bench)}\n`);

  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    const json = join(args.out, 'results.json');
    const svg = join(args.out, 'pingpong.svg');
    writeFileSync(json, `${JSON.stringify(bench, null, 2)}\n`);
    writeFileSync(svg, await pingPongChartSvg(bench));
    process.stdout.write(`\nwrote ${json}\nwrote ${svg}\n`);
  }
  return verdict(bench);
}

/**
 * The C generator for ping-pong and connection rate when asked for and it
 * builds; otherwise the Node generator, and the reason goes in the results
 * (and, through the header line, once on stderr).
 */
function chooseGenerators(
  wanted: Args['generator'],
  loadCpu: number | null,
): { native: NativeLoadGenerator | null; generators: Generators } {
  const node: Generators = {
    pingPong: 'node',
    connectionRate: 'node',
    bulk: 'node',
    idleMemory: 'node',
    fallback: null,
  };
  if (wanted === 'node') return { native: null, generators: node };
  const build = buildNativeLoad();
  if (build.binary === null)
    return { native: null, generators: { ...node, fallback: build.reason } };
  if (build.compiler) progress(`compiled ${build.binary} (${build.compiler})`);
  return {
    native: new NativeLoadGenerator(build.binary, loadCpu),
    generators: { ...node, pingPong: 'c-epoll', connectionRate: 'c-epoll' },
  };
}

/** What one start of a server is used for. */
interface Step {
  idleCpu: boolean;
  /** Idle connections to hold for the memory figure, or null. */
  memory: number | null;
  throughput: boolean;
  /** Listen on a Unix socket file and run only the Unix-socket ping-pong. */
  unix: boolean;
}

/**
 * Round 1: idle CPU and throughput on one start, then each memory point on a
 * fresh start of its own. Allocators (V8's heap, pymalloc's arenas) keep what
 * earlier workloads freed, so a used server would hide what new connections
 * cost; and a server still digesting a burst of closed connections would
 * distort the throughput after it. Later rounds measure throughput only.
 * Every round, the Unix-socket ping-pong gets a start of its own, listening
 * on a socket file (a bin listens on one endpoint at a time).
 */
function plan(profile: BenchProfile, round: number): Step[] {
  const step = { idleCpu: false, memory: null, throughput: false, unix: false };
  const unix = profile.unixPingPongConnections.length > 0 ? [{ ...step, unix: true }] : [];
  if (round > 1) return [{ ...step, throughput: true }, ...unix];
  return [
    { ...step, idleCpu: true, throughput: true },
    ...unix,
    ...profile.idleConnections.map((n) => ({ ...step, memory: n })),
  ];
}

/** Runs one step's workloads against one started server. */
async function measureServer(
  session: Session,
  load: LoadProcess,
  profile: BenchProfile,
  step: Step,
) {
  const { server, result, samples, tag } = session;
  if (step.idleCpu) {
    // Idle CPU first, on a fresh server with no connections.
    await sleep(200);
    const before = sampleTreeCpu(server.pid);
    await sleep(profile.idleCpuMs);
    const after = sampleTreeCpu(server.pid);
    if (before !== null && after !== null) {
      result.idleCpuPercent = (cpuSecondsBetween(before, after) / (profile.idleCpuMs / 1000)) * 100;
      progress(`${tag}: idle CPU ${result.idleCpuPercent.toFixed(1)} % of a core`);
    }
  }
  if (step.memory !== null) {
    const figure = await idleMemory(session, load, step.memory, profile);
    if (!figure) return;
    result.memory.push(figure);
    progress(
      `${tag}: idle memory @${figure.opened}: ${formatNumber(figure.kibPerConnection)} KiB/conn, served ${figure.served}/${figure.connections}${figure.capped ? ` (capped: ${figure.capped})` : ''}`,
    );
  }
  if (step.unix) {
    await pingPongSeries(session, load, profile, profile.unixPingPongConnections);
    return;
  }
  if (!step.throughput) return;
  if (!(await pingPongSeries(session, load, profile, profile.pingPongConnections))) return;
  const bulk = await workload(session, load, 'bulk', {
    connections: profile.bulkConnections,
    ...profile.bulk,
  });
  if (!bulk) return;
  samples.addBulk(bulk);
  const bytes = bulk.windows.reduce((sum, w) => sum + w.bytes, 0);
  const bulkMs = bulk.windows.reduce((sum, w) => sum + w.ms, 0);
  progress(
    `${tag}: bulk @${profile.bulkConnections}: ${formatNumber(bytes / bulkMs / 1000)} MB/s${errorsNote(bulk)}`,
  );
  const rate = await workload(session, load, 'connection-rate', {
    concurrency: profile.connectionRateConcurrency,
    ...profile.connectionRate,
  });
  if (!rate) return;
  samples.addRate(rate);
  const cycles = rate.windows.reduce((sum, w) => sum + w.cycles, 0);
  const rateMs = rate.windows.reduce((sum, w) => sum + w.ms, 0);
  progress(
    `${tag}: connection rate: ${formatNumber((cycles * 1000) / rateMs)} /s${errorsNote(rate)}`,
  );
}

/** 64 B ping-pong at each of `counts` connections; false when the server is out. */
async function pingPongSeries(
  session: Session,
  load: LoadProcess,
  profile: BenchProfile,
  counts: number[],
): Promise<boolean> {
  const { samples, tag } = session;
  for (const n of counts) {
    let cpu: number | null = null;
    const res = await workload(
      session,
      load,
      'ping-pong',
      { connections: n, size: 64, ...profile.pingPong },
      (c) => (cpu = c),
    );
    if (!res) return false;
    samples.addPingPong(n, res, cpu);
    const msgs = res.windows.reduce((sum, w) => sum + w.messages, 0);
    const ms = res.windows.reduce((sum, w) => sum + w.ms, 0);
    progress(
      `${tag}: ping-pong @${n}: ${formatNumber((msgs * 1000) / ms)} msgs/s, served ${res.served}/${n}, ramp ${formatNumber(res.rampMs)} ms${errorsNote(res)}`,
    );
  }
  return true;
}

function errorsNote(res: WorkloadResult): string {
  const load = `, load generator ${Math.round(res.loadCpuPercent)} % busy`;
  return (
    load + (res.errors > 0 ? `, ${res.errors} socket error(s) (first: ${res.firstError})` : '')
  );
}

/**
 * Runs one measured workload; samples the server's CPU over the measured
 * span; records corruption and errors. Returns null when the server is out.
 */
async function workload(
  session: Session,
  load: LoadProcess,
  op: 'ping-pong' | 'bulk' | 'connection-rate',
  options: Timing & Record<string, number>,
  onCpu?: (seconds: number | null) => void,
): Promise<WorkloadResult | null> {
  const { server, result, target, tag, native } = session;
  const what = session.transport === 'unix' ? `unix ${op}` : op;
  // Both generators keep the load on after 'end' until this returns.
  const onMeasure: MeasureOptions['onMeasure'] = cpuOverMeasuredSpan(server.pid, (seconds) =>
    onCpu?.(seconds),
  );
  let res: WorkloadResult;
  if (native && op === 'ping-pong') {
    res = await native.pingPong(target, {
      ...options,
      connections: options.connections!,
      onMeasure,
    });
  } else if (native && op === 'connection-rate') {
    res = await native.connectionRate(target, { ...options, onMeasure });
  } else {
    const answer = await load.request({ op, target, options } as never, onMeasure);
    if (!('result' in answer)) throw new Error(`unexpected answer to ${op}`);
    res = answer.result;
  }
  result.errors += res.errors;
  if (res.firstError && !result.notes.some((n) => n.startsWith(`${what}:`))) {
    result.notes.push(`${what}: ${res.errors} socket error(s), first ${res.firstError}`);
  }
  if (res.corruption) {
    result.corruption = `${what} @${options.connections ?? options.concurrency}: ${res.corruption}`;
    progress(`${tag}: CORRUPT echo: ${result.corruption}`);
    return null;
  }
  if (server.exited()) {
    throw new Error(`server exited during ${what}; stderr: ${server.stderr().trim().slice(-400)}`);
  }
  return res;
}

/** Opens `connections` idle connections and measures the server tree's memory growth. */
async function idleMemory(
  session: Session,
  load: LoadProcess,
  connections: number,
  { idleRampTimeoutMs: rampTimeoutMs, idleSettleMs }: BenchProfile,
): Promise<MemoryFigure | null> {
  const { server, spec, target, result, tag } = session;
  const cap = spec.idleCap && spec.idleCap.connections < connections ? spec.idleCap : null;
  const count = cap ? cap.connections : connections;
  const before = treeMemory(server.pid);
  const answer = await load.request({
    op: 'open-idle',
    target,
    options: { connections: count, rampTimeoutMs },
  });
  if (!('idle' in answer)) throw new Error('unexpected answer to open-idle');
  const idle = answer.idle;
  // Let allocations settle (threads started, buffers shrunk, V8's young generation given back) before reading.
  await sleep(idleSettleMs);
  const after = treeMemory(server.pid);
  await load.request({ op: 'close-idle', target });
  result.errors += idle.errors;
  if (idle.corruption) {
    result.corruption = `idle @${connections}: ${idle.corruption}`;
    progress(`${tag}: CORRUPT echo: ${result.corruption}`);
    return null;
  }
  if (idle.errors > 0)
    result.notes.push(
      `idle @${connections}: ${idle.errors} socket error(s), first ${idle.firstError}`,
    );
  if (server.exited())
    throw new Error(
      `server exited holding idle connections; stderr: ${server.stderr().trim().slice(-400)}`,
    );
  const kib = (bytes: number | undefined) => (bytes === undefined ? null : bytes / 1024);
  return {
    connections,
    opened: idle.opened,
    served: idle.served,
    kibPerConnection:
      before && after && idle.opened > 0 ? (after.anon - before.anon) / 1024 / idle.opened : null,
    pssBeforeKiB: kib(before?.pss),
    pssAfterKiB: kib(after?.pss),
    rssAfterKiB: kib(after?.rss),
    processes: after?.processes ?? null,
    ...(cap ? { capped: `${cap.connections} connections: ${cap.reason}` } : {}),
  };
}

/** Exit code: 1 when a server failed or corrupted data; in smoke, also when one served nothing. */
function verdict(bench: BenchResults): number {
  const problems: string[] = [];
  for (const s of bench.servers) {
    if (s.status === 'failed') problems.push(`${s.name}: failed: ${s.reason}`);
    else if (s.corruption) problems.push(`${s.name}: corrupt echo: ${s.corruption}`);
    else if (s.status === 'measured' && bench.profile.name === 'smoke') {
      const first = s.pingPong[0];
      if (!first || !(first.msgsPerSec > 0))
        problems.push(`${s.name}: no verified echo at 1 connection`);
      if (!s.bulk || !(s.bulk.mbPerSec > 0)) problems.push(`${s.name}: no verified bulk echo`);
      if (!s.connectionRate || !(s.connectionRate.perSec > 0))
        problems.push(`${s.name}: no connection completed`);
      const unix = s.unixPingPong[0];
      if (
        !s.tcpOnly &&
        bench.profile.unixPingPongConnections.length > 0 &&
        !(unix && unix.msgsPerSec > 0)
      )
        problems.push(`${s.name}: no verified echo over a Unix socket`);
    }
  }
  if (problems.length === 0) {
    process.stdout.write(`\n${bench.profile.name}: every echo verified byte-exact\n`);
    return 0;
  }
  process.stdout.write(
    `\n${bench.profile.name}: PROBLEMS\n${problems.map((p) => `  ${p}`).join('\n')}\n`,
  );
  return 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.message ?? error}\n`);
    process.exit(2);
  },
);
