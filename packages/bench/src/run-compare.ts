#!/usr/bin/env node
// `npm run bench:compare -- --servers node-net,async/proactor`: an
// interleaved A/B of two servers' 64 B ping-pong. Both servers run at once
// (pinned to the same CPU; the idle one costs nothing) and are measured
// back to back, in alternating order, `--pairs` times per connection
// count; the ratio is taken within each pair. On a shared machine whose
// speed drifts by ±10 % over minutes, this tells a 5 % difference apart,
// where the full bench (each server measured minutes apart) cannot.
import os from 'node:os';
import { formatNumber } from './format-table.js';
import { buildNativeLoad } from './native-build.js';
import { NativeLoadGenerator } from './native-load.js';
import { type Pair, pairedRatio } from './paired-ratios.js';
import { serverCatalog } from './server-catalog.js';
import { canPin, pinned, type RunningServer, startServer } from './server-process.js';
import { cpuOverMeasuredSpan } from './tree-cpu.js';

const USAGE = `usage: node packages/bench/dist/run-compare.js --servers BASELINE,CANDIDATE [--connections 10,100,1000] [--pairs 5]
  --servers      two server names from the bench (e.g. node-net,async/proactor); the ratio is CANDIDATE ÷ BASELINE
  --connections  ping-pong connection counts (default 10,100,1000)
  --pairs        back-to-back measurements of both per count (default 5); each takes about 3 s per server`;

/** Each measurement: a quiet ramp, then 0.3 s warmup and 2 × 0.5 s windows. */
const TIMING = { warmupMs: 300, windowMs: 500, windows: 2, rampTimeoutMs: 8_000 };

interface Args {
  servers: [string, string];
  connections: number[];
  pairs: number;
}

function parseArgs(argv: string[]): Args | 'help' {
  let servers: string[] = [];
  let connections = [10, 100, 1000];
  let pairs = 5;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => argv[++i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--servers') servers = value().split(',').filter(Boolean);
    else if (arg === '--connections') connections = value().split(',').map(Number);
    else if (arg === '--pairs') pairs = Number(value());
    else throw new Error(`unknown flag ${arg}; see --help`);
  }
  if (servers.length !== 2) throw new Error(`--servers takes exactly two names; see --help`);
  if (!connections.every((n) => Number.isInteger(n) && n > 0) || connections.length === 0) {
    throw new Error(`--connections takes positive integers; see --help`);
  }
  if (!Number.isInteger(pairs) || pairs < 1)
    throw new Error(`--pairs takes a positive integer; see --help`);
  return { servers: servers as [string, string], connections, pairs };
}

const progress = (line: string) => process.stderr.write(`${line}\n`);

/** One ping-pong measurement: msgs/s and the server's CPU per message. */
async function measure(
  load: NativeLoadGenerator,
  server: RunningServer,
  connections: number,
): Promise<Pair['baseline']> {
  let cpuSeconds: number | null = null;
  const result = await load.pingPong(
    { host: server.host, port: server.port },
    {
      connections,
      ...TIMING,
      onMeasure: cpuOverMeasuredSpan(server.pid, (seconds) => {
        cpuSeconds = seconds;
      }),
    },
  );
  if (result.corruption) throw new Error(`corrupted echo: ${result.corruption}`);
  const messages = result.windows.reduce((sum, w) => sum + w.messages, 0);
  const ms = result.windows.reduce((sum, w) => sum + w.ms, 0);
  if (messages === 0) throw new Error(`no message echoed at ${connections} connections`);
  if (result.served < connections) {
    progress(`  (${result.served} of ${connections} connections served)`);
  }
  return {
    msgsPerSec: (messages / ms) * 1000,
    cpuUsPerMsg: cpuSeconds === null ? null : (cpuSeconds * 1e6) / messages,
  };
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
    return spec;
  });
  const build = buildNativeLoad();
  if (build.binary === null) throw new Error(`the C load generator is needed: ${build.reason}`);
  const pin = canPin(os.cpus().length);
  const load = new NativeLoadGenerator(build.binary, pin ? 1 : null);
  const servers: RunningServer[] = [];
  try {
    for (const spec of specs) {
      const command = [...spec.command!, '--host', '127.0.0.1', '--port', '0'];
      servers.push(await startServer(pinned(command, pin ? 0 : null)));
    }
    const [baseline, candidate] = servers as [RunningServer, RunningServer];
    progress(`${specs[1]!.name} ÷ ${specs[0]!.name}, ${args.pairs} interleaved pairs per count`);
    const rows: string[] = [];
    for (const connections of args.connections) {
      const pairs: Pair[] = [];
      for (let i = 0; i < args.pairs; i++) {
        // Alternate which goes first, so neither always measures right after the other.
        const first = i % 2 === 0 ? baseline : candidate;
        const second = first === baseline ? candidate : baseline;
        const a = await measure(load, first, connections);
        const b = await measure(load, second, connections);
        const pair =
          first === baseline ? { baseline: a, candidate: b } : { baseline: b, candidate: a };
        pairs.push(pair);
        progress(
          `  @${connections} pair ${i + 1}: ${formatNumber(pair.baseline.msgsPerSec)} vs ${formatNumber(pair.candidate.msgsPerSec)} msgs/s`,
        );
      }
      const r = pairedRatio(pairs);
      const cpu = r.cpuPerMsg
        ? `${r.cpuPerMsg.median.toFixed(2)}× (${r.cpuPerMsg.min.toFixed(2)}–${r.cpuPerMsg.max.toFixed(2)})`
        : '—';
      rows.push(
        `| ${connections} | ${r.msgsPerSec.median.toFixed(2)}× (${r.msgsPerSec.min.toFixed(2)}–${r.msgsPerSec.max.toFixed(2)}) | ${r.candidateAhead} of ${r.pairs} | ${cpu} |`,
      );
    }
    process.stdout.write(
      [
        `${specs[1]!.name} ÷ ${specs[0]!.name}: 64 B ping-pong, interleaved pairs (median, range)`,
        '',
        '| connections | msgs/s | candidate ahead | server CPU per msg |',
        '|---:|---:|---:|---:|',
        ...rows,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`run-compare: ${error.message}\n`);
    process.exit(2);
  },
);
