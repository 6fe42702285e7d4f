// A server's counters in the Prometheus text exposition format (version
// 0.0.4), so the usual scrapers and dashboards read them. Pure: the caller
// collects the samples; `metrics-server.ts` serves them.

/** One metric sample; samples sharing a name share one HELP/TYPE block. */
export interface MetricSample {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`; counters end in `_total` by convention. */
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  readonly value: number;
  readonly labels?: Readonly<Record<string, string>>;
}

/** The media type scrapers expect for this format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Renders samples as Prometheus text: one HELP and TYPE line per name, then its samples. */
export function formatPrometheusText(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const sample of samples) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(sample.name))
      throw new RangeError(`bad metric name "${sample.name}"`);
    const group = byName.get(sample.name);
    if (group) group.push(sample);
    else byName.set(sample.name, [sample]);
  }
  let text = '';
  for (const [name, group] of byName) {
    text += `# HELP ${name} ${group[0]!.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    text += `# TYPE ${name} ${group[0]!.type}\n`;
    for (const { labels, value } of group)
      text += `${name}${formatLabels(labels)} ${formatValue(value)}\n`;
  }
  return text;
}

function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return '';
  const escaped = entries.map(([key, value]) => {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(key)) throw new RangeError(`bad label name "${key}"`);
    return `${key}="${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`;
  });
  return `{${escaped.join(',')}}`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

/**
 * A server's `stats()` as samples: `active` is a gauge, every other count a
 * counter `iomodels_<name>_total` (camelCase → snake_case), each labelled
 * with the model and mode (and whatever `labels` adds, e.g. a worker id).
 */
export function serverStatsSamples(
  stats: Readonly<Record<string, number>>,
  labels: Readonly<Record<string, string>>,
): MetricSample[] {
  return Object.entries(stats).map(([key, value]) => {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return key === 'active'
      ? {
          name: 'iomodels_connections_active',
          help: 'Connections being served now.',
          type: 'gauge',
          value,
          labels,
        }
      : {
          name: `iomodels_${snake}_total`,
          help: `Connections ${snake.replace(/_/g, ' ')} since the server started.`,
          type: 'counter',
          value,
          labels,
        };
  });
}
