// Plain-text output: Markdown tables (readable in a terminal, pasteable into
// a README) of absolute figures, latencies and ratios to plain Node net.
import type {
  BenchResults,
  GeneratorName,
  Generators,
  PingPongFigure,
  ServerResult,
} from './bench-results.js';

/** Shown where there is no figure (skipped, failed, not measured in this profile). */
export const MISSING = '—';

/** A Markdown table, columns padded; the first column left-aligned, the rest right-aligned. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const cell = (text: string, i: number) =>
    i === 0 ? text.padEnd(widths[i]!) : text.padStart(widths[i]!);
  const line = (cells: string[]) => `| ${cells.map((c, i) => cell(c, i)).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join(
    '\n',
  );
}

/**
 * A number in 3 significant digits with a k/M suffix: 186000 → "186k",
 * 5271 → "5.27k", 812 → "812", 0.5 → "0.5"; NaN/null → "—".
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return MISSING;
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${trim(value / 1e6)}M`;
  if (abs >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

function trim(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(value.toFixed(digits)));
}

/** A ratio to the baseline: 1.234 → "1.23×"; not computable → "—". */
export function formatRatio(
  value: number | null | undefined,
  baseline: number | null | undefined,
): string {
  if (value === null || value === undefined || baseline === null || baseline === undefined)
    return MISSING;
  // A ratio of non-positive figures (e.g. memory growth lost in GC noise) means nothing.
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || value <= 0 || baseline <= 0)
    return MISSING;
  const ratio = value / baseline;
  return `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×`;
}

/** The baseline every ratio divides by. */
export const BASELINE = 'node-net';

interface Column {
  header: string;
  value: (s: ServerResult) => number | null | undefined;
  /** When the figure was taken with fewer connections served than asked, how many of how many. */
  starved?: (s: ServerResult) => { served: number; of: number } | null;
  /** Load generator CPU while this figure was taken, % of its core. */
  loadCpu?: (s: ServerResult) => number | undefined;
  /** Leave out of the ratio table. */
  noRatio?: boolean;
}

/** A figure taken with the load generator this busy may be its ceiling rather than the server's. */
export const LOAD_SATURATED_PERCENT = 90;

/** msgs/s of the ping-pong at `n` connections among `figures` (TCP's or the Unix socket's). */
function pingPongColumn(
  header: string,
  figures: (s: ServerResult) => PingPongFigure[],
  n: number,
): Column {
  const at = (s: ServerResult) => figures(s).find((f) => f.connections === n);
  return {
    header,
    value: (s) => at(s)?.msgsPerSec,
    starved: (s) => {
      const f = at(s);
      return f && f.served < n ? { served: f.served, of: n } : null;
    },
    loadCpu: (s) => at(s)?.loadCpuPercent,
  };
}

function columns(results: BenchResults): Column[] {
  const p = results.profile;
  const cols: Column[] = p.pingPongConnections.map((n) =>
    pingPongColumn(`msgs/s @${n}`, (s) => s.pingPong, n),
  );
  const mid = p.pingPongConnections.includes(100) ? 100 : p.pingPongConnections.at(-1)!;
  cols.push({
    header: `CPU µs/msg @${mid}`,
    value: (s) => s.pingPong.find((f) => f.connections === mid)?.cpuUsPerMsg,
  });
  cols.push({
    header: `bulk MB/s @${p.bulkConnections}`,
    value: (s) => s.bulk?.mbPerSec,
    starved: (s) =>
      s.bulk && s.bulk.served < s.bulk.connections
        ? { served: s.bulk.served, of: s.bulk.connections }
        : null,
    loadCpu: (s) => s.bulk?.loadCpuPercent,
  });
  cols.push({
    header: 'conn/s',
    value: (s) => s.connectionRate?.perSec,
    loadCpu: (s) => s.connectionRate?.loadCpuPercent,
  });
  for (const n of p.idleConnections) {
    cols.push({
      header: `KiB/conn @${formatNumber(n)}`,
      value: (s) => s.memory.find((m) => m.connections === n)?.kibPerConnection,
      starved: (s) => {
        const m = s.memory.find((x) => x.connections === n);
        return m && m.served < m.connections ? { served: m.served, of: m.connections } : null;
      },
    });
  }
  cols.push({ header: 'idle CPU %', value: (s) => s.idleCpuPercent, noRatio: true });
  return cols;
}

function label(s: ServerResult): string {
  if (s.status === 'skipped') return `${s.name} (skipped)`;
  if (s.status === 'failed') return `${s.name} (FAILED)`;
  if (s.corruption) return `${s.name} (CORRUPT)`;
  return s.name;
}

/** Footnotes for figures taken while some connections waited unserved. */
function starvedNotes(results: BenchResults, cols: Column[]): string[] {
  const notes: string[] = [];
  for (const s of results.servers) {
    for (const c of cols) {
      const starved = c.starved?.(s);
      if (starved && c.value(s) !== undefined) {
        notes.push(`${s.name} ${c.header}: ${starved.served} of ${starved.of} connections served`);
      }
    }
  }
  return notes;
}

function saturated(c: Column, s: ServerResult): boolean {
  return (c.loadCpu?.(s) ?? 0) >= LOAD_SATURATED_PERCENT;
}

/**
 * Absolute figures, one row per server. `*`: taken with connections left
 * waiting unserved; `†`: the load generator was saturated.
 */
export function absoluteTable(results: BenchResults): string {
  const cols = columns(results);
  const rows = results.servers.map((s) => [label(s), ...cols.map((c) => figureCell(c, s))]);
  return formatTable(['server', ...cols.map((c) => c.header)], rows);
}

/** One server's figure in column `c`, marked `*` (connections waited) and `†` (generator saturated). */
function figureCell(c: Column, s: ServerResult): string {
  const text = formatNumber(c.value(s));
  if (text === MISSING) return text;
  return `${text}${c.starved?.(s) ? '*' : ''}${saturated(c, s) ? '†' : ''}`;
}

/** The Unix-socket ping-pong columns, and the TCP ones at the same counts, per count. */
function unixColumns(results: BenchResults): Array<{ unix: Column; tcp: Column }> {
  return results.profile.unixPingPongConnections.map((n) => ({
    unix: pingPongColumn(`unix msgs/s @${n}`, (s) => s.unixPingPong, n),
    tcp: pingPongColumn(`TCP msgs/s @${n}`, (s) => s.pingPong, n),
  }));
}

/**
 * The same 64 B ping-pong over a Unix socket file: msgs/s, the ratio to
 * plain Node net over a Unix socket in the same run, and the server's TCP
 * msgs/s beside it. A server that serves TCP only shows dashes.
 */
export function unixTable(results: BenchResults): string {
  const cols = unixColumns(results);
  const base = results.servers.find((s) => s.name === BASELINE);
  const rows = results.servers.map((s) => [
    s.status === 'measured' && s.tcpOnly && !s.corruption ? `${s.name} (TCP only)` : label(s),
    ...cols.flatMap(({ unix, tcp }) => [
      figureCell(unix, s),
      base ? formatRatio(unix.value(s), unix.value(base)) : MISSING,
      figureCell(tcp, s),
    ]),
  ]);
  const headers = results.profile.unixPingPongConnections.flatMap((n) => [
    `unix msgs/s @${n}`,
    `÷ ${BASELINE} unix @${n}`,
    `TCP msgs/s @${n}`,
  ]);
  return formatTable(['server', ...headers], rows);
}

/** p50 / p99 round-trip latency in µs at each ping-pong connection count. */
export function latencyTable(results: BenchResults): string {
  return pingPongTable(
    results,
    (n) => `p50 / p99 µs @${n}`,
    (f) => `${formatNumber(f.p50Us)} / ${formatNumber(f.p99Us)}`,
  );
}

/**
 * How long each ping-pong ramp took, ms (longest round): until every
 * connection had been served once, or the stall or timeout rule ended it.
 * `*` as in the absolute table: connections were left unserved.
 */
export function rampTable(results: BenchResults): string {
  return pingPongTable(
    results,
    (n) => `ramp ms @${n}`,
    (f, n) =>
      f.rampMs === null || !Number.isFinite(f.rampMs)
        ? MISSING
        : `${Math.round(f.rampMs)}${f.served < n ? '*' : ''}`,
  );
}

/** One row per server, one column per ping-pong connection count; `cell` formats a measured point. */
function pingPongTable(
  results: BenchResults,
  header: (connections: number) => string,
  cell: (figure: PingPongFigure, connections: number) => string,
): string {
  const counts = results.profile.pingPongConnections;
  const rows = results.servers.map((s) => [
    label(s),
    ...counts.map((n) => {
      const f = s.pingPong.find((x) => x.connections === n);
      return f ? cell(f, n) : MISSING;
    }),
  ]);
  return formatTable(['server', ...counts.map(header)], rows);
}

/**
 * Each figure divided by plain Node net's in the same run: above 1× is more
 * throughput, or, in the KiB/conn columns, more memory.
 */
export function ratioTable(results: BenchResults): string {
  const cols = columns(results).filter((c) => !c.noRatio);
  const base = results.servers.find((s) => s.name === BASELINE);
  const rows = results.servers.map((s) => [
    label(s),
    ...cols.map((c) => (base ? formatRatio(c.value(s), c.value(base)) : MISSING)),
  ]);
  return formatTable(['server', ...cols.map((c) => c.header)], rows);
}

/** Header lines: when, where, how. */
export function runHeader(results: BenchResults): string {
  const m = results.machine;
  const pin = results.pinning
    ? `server on CPU ${results.pinning.server}, load generator on CPU ${results.pinning.load} (taskset)`
    : 'not pinned (taskset unavailable or fewer than 2 CPUs)';
  const p = results.profile;
  return [
    `iomodels bench — ${p.name} run, ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${Math.round(results.durationSec)} s`,
    `machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}`,
    `pinning: ${pin}`,
    `load generator: ${generatorLine(results.generators)}`,
    `medians of ${p.rounds * p.pingPong.windows} windows of ${p.pingPong.windowMs} ms (${p.rounds} round(s) × ${p.pingPong.windows}); 64 B ping-pong, 16 KiB bulk`,
  ].join('\n');
}

const GENERATOR_NAMES: Record<GeneratorName, string> = {
  'c-epoll': 'C epoll (native/pingpong.c)',
  node: 'Node net',
};

/** Which generator drove which workloads, e.g. "C epoll (...) for ping-pong, connection rate; Node net for bulk, idle memory". */
export function generatorLine(g: Generators): string {
  const workloads: Array<[string, GeneratorName]> = [
    ['ping-pong', g.pingPong],
    ['connection rate', g.connectionRate],
    ['bulk', g.bulk],
    ['idle memory', g.idleMemory],
  ];
  const used = [...new Set(workloads.map(([, name]) => name))];
  const parts = used.map((name) =>
    used.length === 1
      ? `${GENERATOR_NAMES[name]} for every workload`
      : `${GENERATOR_NAMES[name]} for ${workloads
          .filter(([, n]) => n === name)
          .map(([w]) => w)
          .join(', ')}`,
  );
  return `${parts.join('; ')}${g.fallback ? ` (C generator not used: ${g.fallback})` : ''}`;
}

/** Everything printed at the end of a run. */
export function report(results: BenchResults): string {
  const unix = unixColumns(results).map((c) => c.unix);
  const cols = [...columns(results), ...unix];
  const starved = starvedNotes(results, cols);
  const tcpOnly = results.servers
    .filter((s) => s.status === 'measured' && s.tcpOnly)
    .map((s) => `  ${s.name}: ${s.tcpOnly}`);
  const skipped = results.servers
    .filter((s) => s.status !== 'measured' || s.corruption || s.notes.length > 0)
    .map(
      (s) =>
        `${s.name}: ${[s.reason, s.corruption && `corrupt: ${s.corruption}`, ...s.notes].filter(Boolean).join('; ')}`,
    );
  return [
    runHeader(results),
    '',
    'Absolute figures',
    '',
    absoluteTable(results),
    ...(starved.length > 0
      ? ['', '* taken while connections waited unserved:', ...starved.map((n) => `  ${n}`)]
      : []),
    ...(cols.some((c) => results.servers.some((s) => saturated(c, s)))
      ? [
          `† the load generator that took the figure used ≥ ${LOAD_SATURATED_PERCENT} % of its core: the server may be faster than shown`,
        ]
      : []),
    '',
    'Round-trip latency, 64 B ping-pong',
    '',
    latencyTable(results),
    '',
    'Ping-pong ramp: ms until every connection was served once (served ones wait quietly), or no new one was for 1.5 s, or the ramp timed out',
    '',
    rampTable(results),
    '',
    `Ratios to ${BASELINE} (same run; > 1× = more throughput; in CPU and KiB/conn columns, more cost)`,
    '',
    ratioTable(results),
    ...(unix.length > 0
      ? [
          '',
          `Unix-socket ping-pong: the same 64 B echo over a socket file (a start of its own); ratio to ${BASELINE} over a Unix socket, same run; TCP msgs/s of this run beside it`,
          '',
          unixTable(results),
          ...(tcpOnly.length > 0 ? ['', 'TCP only:', ...tcpOnly] : []),
        ]
      : []),
    ...(skipped.length > 0 ? ['', 'Notes:', ...skipped.map((n) => `  ${n}`)] : []),
  ].join('\n');
}
