// The README chart: ping-pong msgs/s against connections (log x), one line
// per server, described in Vega-Lite and rendered to SVG headlessly by Vega.
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { BenchResults } from './bench-results.js';

/** The Vega-Lite spec for the run's ping-pong figures. */
export function pingPongChartSpec(results: BenchResults): vl.TopLevelSpec {
  const values = results.servers.flatMap((s) =>
    s.status === 'measured' && !s.corruption
      ? s.pingPong
          .filter((f) => Number.isFinite(f.msgsPerSec))
          .map((f) => ({
            server: s.name,
            kind: s.kind,
            connections: f.connections,
            msgsPerSec: Math.round(f.msgsPerSec),
          }))
      : [],
  );
  const m = results.machine;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: '64 B echo ping-pong: messages per second',
      subtitle: `${results.profile.name} run ${m.date.slice(0, 10)} · ${m.cpu}, ${m.cores} cores · Node ${m.node}${
        results.pinning ? ' · server CPU 0, load CPU 1' : ''
      }`,
    },
    width: 560,
    height: 340,
    background: 'white',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'connections',
        type: 'quantitative',
        scale: { type: 'log' },
        axis: { values: results.profile.pingPongConnections, title: 'connections (log scale)' },
      },
      y: { field: 'msgsPerSec', type: 'quantitative', title: 'messages / s' },
      color: { field: 'server', type: 'nominal', title: 'server', scale: { scheme: 'tableau20' } },
      strokeDash: {
        field: 'kind',
        type: 'nominal',
        title: 'kind',
        scale: {
          domain: ['model', 'baseline', 'peer'],
          range: [
            [1, 0],
            [6, 3],
            [2, 2],
          ],
        },
      },
    },
  };
}

/** Renders the chart to an SVG string. */
export async function pingPongChartSvg(results: BenchResults): Promise<string> {
  const spec = pingPongChartSpec(results);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
