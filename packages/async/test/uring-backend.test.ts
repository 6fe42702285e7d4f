// The backend choice: libuv by default, io_uring when asked and usable
// (forced off: uring-disabled.test.ts, a file of its own because the loader
// caches its answer per module graph).
import { loadUring } from '@iomodels/uring';
import { describe, expect, it } from 'vitest';
import { Proactor } from '../src/index.js';
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
