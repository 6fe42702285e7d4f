// `--metrics tcp:9464`: a tiny HTTP endpoint that answers `GET /metrics` with
// the samples `collect` returns, in Prometheus text. Separate from the served
// port so that a scraper never competes with clients for it.
import http from 'node:http';
import { type Address, fromAddressInfo } from '../address.js';
import { toListenError } from '../error-mapping.js';
import {
  formatPrometheusText,
  type MetricSample,
  PROMETHEUS_CONTENT_TYPE,
} from './prometheus-text.js';

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly address: Address;
  close(): Promise<void>;
}

/** Listens on `host:port` and serves `GET /metrics`; anything else is 404, other methods 405. */
export async function startMetricsServer(
  host: string,
  port: number,
  collect: () => readonly MetricSample[] | Promise<readonly MetricSample[]>,
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return void response.writeHead(404).end('not found; try /metrics\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
    }
    Promise.resolve()
      .then(collect)
      .then(
        (samples) => {
          response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
          response.end(request.method === 'HEAD' ? undefined : formatPrometheusText(samples));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`);
        },
      );
  });
  // A scraper keeps its connection alive between scrapes; shutdown must not wait for it.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(toListenError(error, { host, port })));
    server.listen({ host, port }, resolve);
  });
  return {
    address: fromAddressInfo(server.address()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
