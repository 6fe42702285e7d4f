import { describe, expect, it } from 'vitest';
import { chooseBackend } from './choose-backend.js';
import { loadUring } from './load.js';

describe('chooseBackend', () => {
  it('falls back to libuv with the loader reason', () => {
    const choice = chooseBackend({ env: { IOMODELS_URING_DISABLE: '1' } });
    expect(choice).toEqual({
      backend: 'emulated on libuv',
      reason: 'IOMODELS_URING_DISABLE=1 is set',
    });
  });

  it('says io_uring exactly when the loader has a binding', () => {
    const choice = chooseBackend();
    expect(choice.backend).toBe(loadUring().available ? 'io_uring' : 'emulated on libuv');
  });
});
