// The backend choice: libuv by default, io_uring when asked and usable
// (forced off: uring-disabled.test.ts, a file of its own because the loader
// caches its answer per module graph).
import net from 'node:net';
import { loadUring } from '@iomodels/uring';
import { describe, expect, it } from 'vitest';
import { Proactor, ProactorTCPServer } from '../src/index.js';
import { echoOnce } from './helpers.js';

describe('Proactor backend', () => {
  it('is libuv by default, and says so after listen', async () => {
    const proactor = new Proactor();
    expect(proactor.backend).toBeUndefined();
    expect(await echoOnce(proactor)).toBe('native:ping');
    expect(proactor.backend?.backend).toBe('emulated on libuv');
    expect(proactor.backend?.reason).toMatch(/default/);
  });

  it.skipIf(!loadUring().available)('runs on io_uring when asked and usable', async () => {
    const proactor = new Proactor({ backend: 'uring' });
    expect(await echoOnce(proactor)).toBe('uring:ping');
    expect(proactor.backend?.backend).toBe('io_uring');
  });
});

describe.skipIf(!loadUring().available)('ProactorTCPServer backend', () => {
  it("moves accepted connections onto io_uring with backend 'uring', and describes it", async () => {
    const server = new ProactorTCPServer('echo', { port: 0, log: () => {}, backend: 'uring' });
    try {
      const address = await server.listen();
      const description = server.describe();
      expect(description.completion).toBe('native');
      expect(description.notes.join(' ')).toMatch(/backend: io_uring/);
      const peer = net.connect({ host: '127.0.0.1', port: address.port });
      peer.write('ping\n');
      const back = await new Promise<Buffer>((resolve) => peer.once('data', resolve));
      expect(back.toString()).toContain('ping');
      peer.destroy();
    } finally {
      await server.close();
    }
  });
});
