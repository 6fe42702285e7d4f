// Building the C load generator: compiled once, reused while up to date,
// rebuilt when the source is newer; without a working compiler the answer is
// a reason (the bench then falls back to the Node generator), not an error.
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildNativeLoad } from './native-build.js';

const realSource = fileURLToPath(new URL('../native/pingpong.c', import.meta.url));
let dir: string;
let paths: { source: string; binary: string };
const savedCC = process.env.CC;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bench-native-'));
  paths = { source: join(dir, 'pingpong.c'), binary: join(dir, 'out', 'pingpong') };
  copyFileSync(realSource, paths.source);
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedCC === undefined) delete process.env.CC;
  else process.env.CC = savedCC;
});

describe('buildNativeLoad', () => {
  it('gives a reason, not an error, when the compiler does not run', () => {
    process.env.CC = join(dir, 'no-such-compiler');
    const build = buildNativeLoad(paths);
    expect(build.binary).toBeNull();
    expect(build).toMatchObject({ reason: expect.stringContaining('does not run') });
  });

  const canCompile = buildNativeLoad().binary !== null;

  it.skipIf(!canCompile)('gives the compiler output as the reason when compiling fails', () => {
    writeFileSync(paths.source, 'this is not C\n');
    const build = buildNativeLoad(paths);
    expect(build).toMatchObject({
      binary: null,
      reason: expect.stringMatching(/failed \(1\): .*error/),
    });
  });

  it.skipIf(!canCompile)('compiles once, then again only when the source is newer', () => {
    const first = buildNativeLoad(paths);
    expect(first).toMatchObject({ binary: paths.binary, compiler: expect.stringContaining('-O2') });
    expect(buildNativeLoad(paths)).toEqual({ binary: paths.binary, compiler: null });
    const past = new Date(Date.now() - 3_600_000);
    utimesSync(paths.binary, past, past);
    expect(buildNativeLoad(paths)).toMatchObject({ compiler: expect.stringContaining('-O2') });
  });
});
