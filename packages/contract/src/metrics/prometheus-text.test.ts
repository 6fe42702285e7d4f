import { describe, expect, it } from 'vitest';
import { formatPrometheusText, serverStatsSamples } from './prometheus-text.js';

describe('formatPrometheusText', () => {
  it('writes one HELP/TYPE block per name and escapes label values', () => {
    const text = formatPrometheusText([
      { name: 'x_total', help: 'Things.', type: 'counter', value: 3, labels: { worker: '1' } },
      { name: 'x_total', help: 'Things.', type: 'counter', value: 4, labels: { worker: '2' } },
      {
        name: 'y',
        help: 'a\\b\nc',
        type: 'gauge',
        value: Number.NaN,
        labels: { path: 'say "hi"\\' },
      },
      { name: 'z', help: 'Z.', type: 'gauge', value: Number.POSITIVE_INFINITY },
    ]);
    expect(text).toBe(
      [
        '# HELP x_total Things.',
        '# TYPE x_total counter',
        'x_total{worker="1"} 3',
        'x_total{worker="2"} 4',
        '# HELP y a\\\\b\\nc',
        '# TYPE y gauge',
        'y{path="say \\"hi\\"\\\\"} NaN',
        '# HELP z Z.',
        '# TYPE z gauge',
        'z +Inf',
        '',
      ].join('\n'),
    );
  });

  it('refuses names a scraper would reject', () => {
    expect(() => formatPrometheusText([{ name: '1x', help: '', type: 'gauge', value: 1 }])).toThrow(
      'bad metric name',
    );
    expect(() =>
      formatPrometheusText([
        { name: 'x', help: '', type: 'gauge', value: 1, labels: { 'a-b': '' } },
      ]),
    ).toThrow('bad label name');
  });
});

describe('serverStatsSamples', () => {
  it('makes active a gauge and every other count a labelled counter', () => {
    const samples = serverStatsSamples(
      { accepted: 5, active: 2, timedOut: 1 },
      { model: 'multiplex', mode: 'reactor' },
    );
    expect(formatPrometheusText(samples)).toContain(
      'iomodels_connections_active{model="multiplex",mode="reactor"} 2',
    );
    expect(samples.map((s) => [s.name, s.type])).toEqual([
      ['iomodels_accepted_total', 'counter'],
      ['iomodels_connections_active', 'gauge'],
      ['iomodels_timed_out_total', 'counter'],
    ]);
  });
});
