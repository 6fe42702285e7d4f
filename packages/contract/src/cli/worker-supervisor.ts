// `--workers N`: one supervisor process starts N copies of the bin's server
// (node:cluster re-runs the bin with the same flags), which share one
// listening address; the supervisor owns the signals. SIGINT/SIGTERM: every
// worker drains, and the supervisor prints one closing line with the summed
// report. A worker that dies is replaced (it loses only its own connections).
// SIGHUP: workers are restarted one at a time, each replacement listening
// before the old one drains, so the address never stops accepting. Counters
// outlive their worker: a rolled one's final counts, a crashed one's last
// (pushed every STATS_PUSH_INTERVAL_MS), go to the closing line and to the
// `worker="retired"` series of `--metrics`, so totals never go back.
//
// node:cluster on every runtime: the supervisor holds the listening socket
// and hands accepted connections to the workers in turn (round-robin, the
// default on Linux), so `--port 0` gives every worker the same port, a
// restarted worker needs no re-bind, and no connection is refused while one
// drains. `reusePort` (Node ≥ 22.12) is deliberately not used even where
// it exists: with SO_REUSEPORT each worker owns an accept queue, and the
// connections queued on a worker that closes are reset by the kernel — a
// rolling restart would refuse some; and each worker would need the real
// port before binding (`--port 0`). Node 20, supported here, lacks it anyway.
// A `unix:` endpoint is shared the same way (round-robin over the pipe
// handle): the supervisor claims the socket file and removes it at the end.
import cluster, { type Worker } from 'node:cluster';
import type { BaseServer, ServerStats } from '../base-server.js';
import { startMetricsServer } from '../metrics/metrics-server.js';
import type { MetricSample } from '../metrics/prometheus-text.js';
import { serverStatsSamples } from '../metrics/prometheus-text.js';
import type { ShutdownReport } from '../shutdown-sequence.js';
import { claimSocketFile } from '../unix-socket-file.js';
import { formatShutdownLine } from './format-shutdown-line.js';
import type { ServerArgs } from './parse-server-args.js';

/** What a worker tells its supervisor over the cluster IPC channel. */
type WorkerMessage =
  | { iomodels: 'listening'; address: string; model: string; mode: string }
  | { iomodels: 'stats'; stats: ServerStats }
  | { iomodels: 'closed'; stats: ServerStats; report: ShutdownReport };

/** What the supervisor asks a worker. */
type SupervisorMessage = { iomodels: 'close'; grace: number } | { iomodels: 'stats' };

/** How long a scrape waits for a worker's counters before leaving it out. */
const STATS_REPLY_TIMEOUT_MS = 2_000;

/**
 * How often a worker sends its counters unasked (when they changed): a
 * worker that crashes takes at most this long of its counts with it. One
 * small IPC message per worker per interval, none while nothing happens.
 */
const STATS_PUSH_INTERVAL_MS = 250;

/** True in a process the supervisor started. */
export function isWorkerProcess(): boolean {
  return cluster.isWorker;
}

/**
 * The worker's side: report the address, then serve until the supervisor
 * says close. Signals are the supervisor's (a terminal's Ctrl-C reaches the
 * whole process group), so the worker ignores them.
 */
export function serveAsWorker(server: BaseServer, address: string): Promise<never> {
  const ignore = () => {};
  let closing = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, ignore);
  const send = (message: WorkerMessage, then?: () => void) =>
    process.send?.(message, undefined, {}, () => then?.());
  let pushed = '';
  const push = setInterval(() => {
    const stats = server.stats();
    const text = JSON.stringify(stats);
    if (text === pushed) return;
    pushed = text;
    send({ iomodels: 'stats', stats });
  }, STATS_PUSH_INTERVAL_MS).unref();
  process.on('message', (message: SupervisorMessage) => {
    if (message?.iomodels === 'stats') send({ iomodels: 'stats', stats: server.stats() });
    if (message?.iomodels === 'close' && !closing) {
      closing = true;
      clearInterval(push);
      void server.close({ timeout: message.grace }).then((report) => {
        // Disconnect, not exit: cluster then settles any connection it was
        // still handing us (it goes to another worker) before the channel closes.
        send({ iomodels: 'closed', stats: server.stats(), report }, () =>
          cluster.worker?.disconnect(),
        );
      });
    }
  });
  process.on('disconnect', () => {
    if (closing) return process.exit(0);
    // The supervisor is gone (killed): nobody will ask us to close; stop now.
    void server.close({ timeout: 0 }).finally(() => process.exit(1));
  });
  send({ iomodels: 'listening', address, model: server.model, mode: server.mode });
  return new Promise<never>(() => {});
}

interface Member {
  readonly worker: Worker;
  /** Set once the supervisor asked it to close: its exit is not a crash. */
  closing: boolean;
  /** Its latest counters (pushed, or a scrape's reply): what survives a crash. */
  last?: ServerStats;
}

/** Runs the supervisor until a signal; never returns normally. */
export async function superviseWorkers(name: string, args: ServerArgs): Promise<never> {
  const log = (line: string) => process.stderr.write(`${name}: ${line}\n`);
  // cluster binds a Unix endpoint here, for every worker: the file is ours to claim and remove.
  const releaseSocketFile = args.listen.kind === 'unix' ? claimSocketFile(args.listen) : () => {};
  const members = new Set<Member>();
  // Counters of workers gone before the end (rolled or crashed), so the closing line covers the whole life.
  const retired: ServerStats[] = [];
  let stopping = false;
  let rolling = false;

  const stop = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.on('SIGHUP', () => void roll());

  /** Forks a worker; resolves once it listens, rejects with its exit code if it dies first. */
  function start(): Promise<{
    member: Member;
    listening: WorkerMessage & { iomodels: 'listening' };
  }> {
    const member: Member = { worker: cluster.fork(), closing: false };
    members.add(member);
    return new Promise((resolve, reject) => {
      let listening = false;
      member.worker.on('message', (message: WorkerMessage) => {
        if (message?.iomodels === 'stats' || message?.iomodels === 'closed')
          member.last = message.stats;
        if (message?.iomodels !== 'listening' || listening) return;
        listening = true;
        resolve({ member, listening: message });
      });
      member.worker.once('exit', (code, signal) => {
        members.delete(member);
        if (!listening) return reject(code ?? 1);
        if (member.closing || stopping) return;
        // Its open connections died with it; what it served stays counted.
        if (member.last) retired.push({ ...member.last, active: 0 });
        log(
          `worker ${member.worker.process.pid} exited (${signal ?? `code ${code}`}; ${member.last?.active ?? 0} open connections lost); starting a replacement`,
        );
        start().then(
          ({ member: fresh }) => log(`worker ${fresh.worker.process.pid} replaced it`),
          (failed) => log(`the replacement worker failed to start (exit ${failed})`),
        );
      });
    });
  }

  /**
   * Asks a worker to drain within the grace period; resolves with its final
   * counters and report — or, when it died before saying them, its last
   * known counters (open connections lost) and no report.
   */
  function retire(member: Member): Promise<{ stats?: ServerStats; report?: ShutdownReport }> {
    member.closing = true;
    return new Promise((resolve) => {
      let result: { stats: ServerStats; report: ShutdownReport } | undefined;
      member.worker.on('message', (message: WorkerMessage) => {
        if (message?.iomodels === 'closed') result = message;
      });
      member.worker.once('exit', () =>
        resolve(result ?? { stats: member.last && { ...member.last, active: 0 } }),
      );
      member.worker.send({ iomodels: 'close', grace: args.grace } satisfies SupervisorMessage);
    });
  }

  async function roll(): Promise<void> {
    if (rolling || stopping) return;
    rolling = true;
    const old = [...members];
    log(`SIGHUP: restarting ${old.length} workers one at a time`);
    for (const member of old) {
      if (stopping) break;
      try {
        await start();
      } catch (code) {
        log(`SIGHUP: a new worker failed to start (exit ${code}); keeping the old ones`);
        break;
      }
      if (stopping) break;
      const { stats } = await retire(member);
      if (stats) retired.push(stats);
    }
    if (!stopping) log(`SIGHUP: restarted ${old.length} workers`);
    rolling = false;
  }

  const started = await Promise.allSettled(Array.from({ length: args.workers }, () => start()));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    // One line from the worker already said why (usage, handler, address); say no more.
    stopping = true;
    for (const member of members) member.worker.kill('SIGKILL');
    releaseSocketFile();
    return process.exit((failed as PromiseRejectedResult).reason as number);
  }
  const first = (
    started[0] as PromiseFulfilledResult<{
      listening: { address: string; model: string; mode: string };
    }>
  ).value.listening;
  const metrics = args.metrics
    ? await startMetricsServer(args.metrics.host, args.metrics.port, () =>
        collect(first.model, first.mode),
      )
    : undefined;
  process.stdout.write(
    `listening on ${first.address} (${first.model}/${first.mode}, ${args.workers} workers)\n`,
  );

  async function collect(model: string, mode: string): Promise<MetricSample[]> {
    // Each worker's own counters, labelled: `sum()` in the query adds them up,
    // and a replaced worker's counters start a new series, as a restart would.
    const now = [...members];
    const replies = await Promise.all(now.map((member) => askStats(member.worker)));
    const live = replies.flatMap((stats, index) =>
      stats
        ? serverStatsSamples({ ...stats }, { model, mode, worker: String(now[index]!.worker.id) })
        : [],
    );
    // Gone workers' counts in one series, so `sum()` over workers never goes back.
    const gone = retired.length > 0 ? sum(ZERO_STATS, retired) : undefined;
    return gone
      ? [...live, ...serverStatsSamples({ ...gone }, { model, mode, worker: 'retired' })]
      : live;
  }

  const signal = await stop;
  stopping = true;
  const force = () => process.exit(130);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  log(`${signal}: closing ${members.size} workers (grace ${args.grace / 1000} s)`);
  const results = await Promise.all([...members].map(retire));
  await metrics?.close();
  releaseSocketFile();
  const stats = sum(ZERO_STATS, [
    ...retired,
    ...results.flatMap((result) => (result.stats ? [result.stats] : [])),
  ]);
  const report = sum(
    ZERO_REPORT,
    results.flatMap((result) => (result.report ? [result.report] : [])),
  );
  log(`closed: ${formatShutdownLine(stats, report)}`);
  return process.exit(0);
}

function askStats(worker: Worker): Promise<ServerStats | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, STATS_REPLY_TIMEOUT_MS);
    function onMessage(message: WorkerMessage) {
      if (message?.iomodels === 'stats') done(message.stats);
    }
    function done(stats?: ServerStats) {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve(stats);
    }
    worker.on('message', onMessage);
    if (!worker.isConnected()) return done();
    worker.send({ iomodels: 'stats' } satisfies SupervisorMessage);
  });
}

// biome-ignore format: one line, as the closing line reads
const ZERO_STATS: ServerStats = { accepted: 0, active: 0, completed: 0, failed: 0, timedOut: 0, refused: 0, proxyRefused: 0 };
const ZERO_REPORT: ShutdownReport = { completed: 0, interrupted: 0, aborted: 0, abandoned: 0 };

/** Field-wise sum of counter records. */
function sum<T extends object>(zero: T, records: readonly T[]): T {
  const total: Record<string, number> = { ...zero } as Record<string, number>;
  for (const record of records) {
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'number') total[key] = (total[key] ?? 0) + value;
    }
  }
  return total as T;
}
