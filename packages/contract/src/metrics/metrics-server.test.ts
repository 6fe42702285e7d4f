import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { AddressInUseError } from '../errors.js';
import { startMetricsServer } from './metrics-server.js';

function request(port: number, path: string, method = 'GET') {
  return new Promise<{ status?: number; body: string; type?: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode, body, type: response.headers['content-type'] }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startMetricsServer', () => {
  it('answers GET /metrics with the collected samples, 404 elsewhere, 405 for other methods', async () => {
    const server = await startMetricsServer('127.0.0.1', 0, () => [
      { name: 'iomodels_accepted_total', help: 'Accepted.', type: 'counter', value: 3 },
    ]);
    try {
      const ok = await request(server.address.port, '/metrics');
      expect(ok.status).toBe(200);
      expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(ok.body).toContain('iomodels_accepted_total 3\n');
      expect((await request(server.address.port, '/')).status).toBe(404);
      expect((await request(server.address.port, '/metrics', 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('reports a port in use as AddressInUseError', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      await expect(startMetricsServer('127.0.0.1', port, () => [])).rejects.toThrow(
        AddressInUseError,
      );
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
