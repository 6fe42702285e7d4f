import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { descriptorIoPath, readInto, writeEvery } from './descriptor-io.js';

const reasonFile = new URL('../build/reason.txt', import.meta.url);
const builtHere = !fs.existsSync(reasonFile);

describe('descriptor IO', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-descriptor-io-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.runIf(builtHere)('takes the addon compiled at install', () => {
    expect(descriptorIoPath).toEqual({ native: true });
  });

  it.skipIf(builtHere)('says why it reads through the fs binding when nothing was compiled', () => {
    expect(descriptorIoPath).toEqual({ native: false, reason: expect.any(String) });
  });

  it('falls back to the fs binding when IOMODELS_BLOCKING_NATIVE=0, and says so', async () => {
    vi.stubEnv('IOMODELS_BLOCKING_NATIVE', '0');
    vi.resetModules();
    const fallback = await import('./descriptor-io.js');
    expect(fallback.descriptorIoPath).toEqual({
      native: false,
      reason: 'IOMODELS_BLOCKING_NATIVE=0',
    });
  });

  it('writes every byte and reads them back, at the descriptor position', () => {
    const file = path.join(dir, 'data');
    const fd = fs.openSync(file, 'w+');
    try {
      writeEvery(fd, Buffer.from('hello, '));
      writeEvery(fd, new Uint8Array(100_000).fill(7));
      writeEvery(fd, new Uint8Array(0));
      const reader = fs.openSync(file, 'r');
      const buffer = new Uint8Array(8);
      expect(readInto(reader, buffer, 7)).toBe(7);
      expect(Buffer.from(buffer.subarray(0, 7)).toString()).toBe('hello, ');
      let total = 0;
      const big = new Uint8Array(65536);
      for (
        let n = readInto(reader, big, big.length);
        n > 0;
        n = readInto(reader, big, big.length)
      ) {
        total += n;
      }
      expect(total).toBe(100_000);
      fs.closeSync(reader);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('throws the system error, with its code, as the fs path does', () => {
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, 'abc');
    const readOnly = fs.openSync(file, 'r');
    try {
      expect(() => writeEvery(readOnly, Buffer.from('x'))).toThrow(
        expect.objectContaining({ code: 'EBADF', syscall: 'write' }),
      );
    } finally {
      fs.closeSync(readOnly);
    }
    expect(() => readInto(readOnly, new Uint8Array(4), 4)).toThrow(
      expect.objectContaining({ code: 'EBADF' }),
    );
  });
});
