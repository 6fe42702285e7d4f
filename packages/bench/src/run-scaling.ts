// `npm run bench -- --profile scaling`: how the servers use more cores. The
// server's process tree is pinned (taskset) to CPUs 0..k-1, the C load
// generators to the rest, one process per generator CPU with the
// connections split between them, so the generator is not the ceiling (each
// point records how busy the busiest generator was). Event-loop models run
// with `--workers k` on k cores; blocking threading and forking, and
// Python's ThreadingTCPServer and ForkingTCPServer, on 1 core and on N.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILES, type Timing } from './bench-profile.js';
import { machineInfo } from './machine-info.js';
import { buildNativeLoad } from './native-build.js';
import { NativeLoadGenerator } from './native-load.js';
import {
  type CpuSplit,
  cpuList,
  formatScaling,
  planScaling,
  SCALING_CONNECTIONS,
  type ScalingPoint,
  type ScalingRun,
  splitCpus,
} from './scaling-profile.js';
import { serverCatalog } from './server-catalog.js';
import { canPin, pinned, type RunningServer, startServer } from './server-process.js';
import { cpuSecondsBetween, sampleTreeCpu, type TreeCpuSample } from './tree-cpu.js';

export const SCALING_USAGE = `usage: npm run bench -- --profile scaling [--server-cpus N] [--only NAME[,NAME...]] [--smoke] [--out DIR | --no-write]
  --server-cpus  N: the most cores a server gets (CPUs 0..N-1); the load generators get the rest,
                 one process per CPU (default: all but a quarter of the cores; 1 on a 2-core machine)
  --only         only servers whose name contains one of these strings
  --smoke        seconds: every point briefly, for the plumbing; nothing judged, writes no files unless --out
  --out          folder for scaling.json and scaling.md (default: docs/bench of the repository)`;

/**
 * Each point: a quiet ramp, then the full bench's ping-pong warmup and
 * windows (long enough for a thread pool's fresh isolates to warm up), or
 * the smoke profile's.
 */
const TIMING = PROFILES.full.pingPong;
const SMOKE_TIMING = PROFILES.smoke.pingPong;
/** Longest wait, after one generator ends its span, for the others to end theirs. */
const SPAN_END_WAIT_MS = 10_000;

const defaultOut = fileURLToPath(new URL('../../../docs/bench/', import.meta.url));

interface ScalingArgs {
  serverCpus: number | undefined;
  only: string[] | null;
  smoke: boolean;
  out: string | null;
}

/** The rest of `argv` when it asks for the scaling profile (`--profile scaling`), else null. */
export function scalingArgv(argv: readonly string[]): string[] | null {
  const at = argv.findIndex((arg, i) => arg === '--profile' && argv[i + 1] === 'scaling');
  return at < 0 ? null : [...argv.slice(0, at), ...argv.slice(at + 2)];
}

function parseScalingArgs(argv: readonly string[]): ScalingArgs | 'help' {
  const args: ScalingArgs = { serverCpus: undefined, only: null, smoke: false, out: null };
  let out: string | null | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--server-cpus') args.serverCpus = Number(value());
    else if (arg === '--only') args.only = value().split(',').filter(Boolean);
    else if (arg === '--smoke') args.smoke = true;
    else if (arg === '--out') out = value() || defaultOut;
    else if (arg === '--no-write') out = null;
    else
      throw new Error(`unknown flag ${arg} for the scaling profile; see --profile scaling --help`);
  }
  args.out = out === undefined ? (args.smoke ? null : defaultOut) : out;
  return args;
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/** Runs the scaling profile; resolves with the exit code (2: bad flags or no C generator). */
export async function runScaling(argv: readonly string[]): Promise<number> {
  let args: ScalingArgs | 'help';
  let split: CpuSplit;
  try {
    args = parseScalingArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${SCALING_USAGE}\n`);
      return 0;
    }
    split = splitCpus(os.cpus().length, args.serverCpus);
  } catch (error) {
    progress(`bench: ${(error as Error).message}`);
    return 2;
  }
  const build = buildNativeLoad();
  if (build.binary === null) {
    progress(`bench: the scaling profile needs the C load generator: ${build.reason}`);
    return 2;
  }
  const pin = canPin(split.cores);
  const binary = build.binary;
  const generators =
    pin && split.generatorCpus.length > 0
      ? split.generatorCpus.map((cpu) => new NativeLoadGenerator(binary, cpu))
      : [new NativeLoadGenerator(binary, null)];
  const timing = args.smoke ? SMOKE_TIMING : TIMING;
  const catalog = serverCatalog();
  progress(`scaling profile: ${split.note}${pin ? '' : ' (no taskset: nothing pinned)'}`);

  // The machine's load when the run began: on a shared machine, how much the figures had to share.
  const loadAverage = Number(os.loadavg()[0]!.toFixed(2));
  const points: ScalingPoint[] = [];
  const problems: string[] = [];
  const skipped = new Map<string, string>();
  for (const run of planScaling(split, args.only)) {
    const spec = catalog.find((s) => s.name === run.server);
    if (!spec?.command) {
      const reason = spec?.skipped ?? 'not in the catalog';
      if (!skipped.has(run.server)) progress(`  skip ${run.server} (${reason})`);
      skipped.set(run.server, reason);
      continue;
    }
    const command = [
      ...spec.command,
      ...['--host', '127.0.0.1', '--port', '0'],
      ...(run.workers > 1 ? ['--workers', String(run.workers)] : []),
    ];
    const cpus = Array.from({ length: run.cpus }, (_, i) => i);
    let server: RunningServer;
    try {
      server = await startServer(pinned(command, pin ? cpuList(cpus) : null));
    } catch (error) {
      problems.push(`${label(run)}: did not start: ${(error as Error).message}`);
      continue;
    }
    try {
      for (const connections of SCALING_CONNECTIONS) {
        const point = await measurePoint(server, generators, run, connections, timing);
        points.push(point);
        progress(
          `  ${label(run)} @${connections}: ${Math.round(point.msgsPerSec)} msgs/s, server ${point.serverCores?.toFixed(2) ?? '?'} cores busy, generator ≤ ${Math.round(point.generatorBusyPercent)} %, served ${point.served}/${connections}`,
        );
      }
    } catch (error) {
      problems.push(`${label(run)}: ${(error as Error).message}`);
    } finally {
      await server.stop();
    }
  }

  const report = formatScaling(split, points);
  process.stdout.write(`\n${report}\n`);
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    const json = join(args.out, 'scaling.json');
    const md = join(args.out, 'scaling.md');
    const record = {
      machine: machineInfo(),
      split,
      loadAverage,
      pinned: pin,
      timing,
      points,
      skipped: Object.fromEntries(skipped),
    };
    writeFileSync(json, `${JSON.stringify(record, null, 2)}\n`);
    const header = `${record.machine.date}, ${record.machine.cpu}, Node ${record.machine.node}, load average ${loadAverage} at the start`;
    writeFileSync(md, `# Scaling profile, one run\n\n${header}\n\n${report}\n`);
    process.stdout.write(`\nwrote ${json}\nwrote ${md}\n`);
  }
  if (problems.length > 0) {
    process.stdout.write(`\nscaling: PROBLEMS\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

function label(run: ScalingRun): string {
  return `${run.server} on ${run.cpus} core(s)${run.workers > 1 ? `, ${run.workers} workers` : ''}`;
}

/**
 * One point: the connections split over the generators, all driving the
 * server at once; msgs/s summed. The server's CPU is sampled from the first
 * generator's measured span start until every generator's span ended (they
 * keep the load on until then), giving the cores it kept busy.
 */
async function measurePoint(
  server: RunningServer,
  generators: readonly NativeLoadGenerator[],
  run: ScalingRun,
  connections: number,
  timing: Timing,
): Promise<ScalingPoint> {
  const used = generators.slice(0, Math.min(generators.length, connections));
  const shares = used.map(
    (_, i) => Math.floor(connections / used.length) + (i < connections % used.length ? 1 : 0),
  );
  let start: { sample: TreeCpuSample | null; at: number } | undefined;
  let serverCores: number | null = null;
  let ended = 0;
  let release: () => void = () => {};
  const allEnded = new Promise<void>((resolve) => {
    release = resolve;
  });
  const onMeasure = (phase: 'start' | 'end') => {
    if (phase === 'start') {
      start ??= { sample: sampleTreeCpu(server.pid), at: performance.now() };
      return;
    }
    if (++ended === used.length) {
      const end = sampleTreeCpu(server.pid);
      if (start?.sample && end) {
        const seconds = (performance.now() - start.at) / 1000;
        serverCores = cpuSecondsBetween(start.sample, end) / seconds;
      }
      release();
    }
    // Keep this generator's load on until the others end too (bounded).
    return Promise.race([
      allEnded,
      new Promise<void>((resolve) => setTimeout(resolve, SPAN_END_WAIT_MS).unref()),
    ]);
  };
  const target = { host: server.host, port: server.port };
  const results = await Promise.all(
    used.map((generator, i) =>
      generator
        .pingPong(target, { connections: shares[i]!, size: 64, ...timing, onMeasure })
        .catch((error: unknown) => {
          // The others must not wait for a span end that will not come.
          release();
          throw error;
        }),
    ),
  );
  const corrupt = results.find((r) => r.corruption);
  if (corrupt) throw new Error(`corrupted echo @${connections}: ${corrupt.corruption}`);
  if (server.exited()) throw new Error(`server exited; stderr: ${server.stderr().slice(-400)}`);
  const msgsPerSec = results.reduce((sum, r) => {
    const messages = r.windows.reduce((m, w) => m + w.messages, 0);
    const ms = r.windows.reduce((m, w) => m + w.ms, 0);
    return sum + (ms > 0 ? (messages * 1000) / ms : 0);
  }, 0);
  return {
    ...run,
    connections,
    msgsPerSec,
    serverCores,
    generatorBusyPercent: Math.max(...results.map((r) => r.loadCpuPercent)),
    served: results.reduce((sum, r) => sum + r.served, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}
