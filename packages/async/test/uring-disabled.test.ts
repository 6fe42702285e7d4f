// IOMODELS_URING_DISABLE=1: a proactor that asks for io_uring runs on libuv
// and says why (set before anything in this file's module graph loads the ring).
import { afterAll, expect, it, vi } from 'vitest';
import { Proactor } from '../src/index.js';
import { echoOnce } from './helpers.js';

// Hoisted above the imports: helpers.ts asks the loader as it loads.
vi.hoisted(() => {
  process.env.IOMODELS_URING_DISABLE = '1';
});
afterAll(() => {
  delete process.env.IOMODELS_URING_DISABLE;
});

it('falls back to libuv, saying why, when io_uring is forced off', async () => {
  const proactor = new Proactor({ backend: 'uring' });
  expect(await echoOnce(proactor)).toBe('native:ping');
  expect(proactor.backend).toEqual({
    backend: 'emulated on libuv',
    reason: expect.stringMatching(/IOMODELS_URING_DISABLE/),
  });
});
