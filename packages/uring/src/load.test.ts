import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { kernelVerdict, loadUring } from './load.js';
import type { UringBinding } from './uring-binding.js';

const script = fileURLToPath(new URL('../scripts/build-native.mjs', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'iomodels-uring-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the install step into `dir` with extra environment; it must always exit 0. */
function install(dir: string, env: Record<string, string>) {
  const run = spawnSync(process.execPath, [script], {
    env: { ...process.env, IOMODELS_URING_BUILD_DIR: dir, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(run.status).toBe(0);
  return run;
}

describe('loadUring fallback reasons', () => {
  it('IOMODELS_URING_DISABLE=1 forces the fallback and says so', () => {
    const answer = loadUring({ env: { IOMODELS_URING_DISABLE: '1' } });
    expect(answer).toMatchObject({ available: false, code: 'disabled' });
  });

  it('is Linux-only', () => {
    const answer = loadUring({ env: {}, platform: 'darwin' });
    expect(answer).toMatchObject({ available: false, code: 'not-linux' });
  });

  it('an install without a compiler exits 0 and the loader reports the install reason', () => {
    const dir = join(scratch, 'no-compiler');
    install(dir, { CC: 'iomodels-no-such-compiler' });
    const answer = loadUring({ buildDir: dir, env: {} });
    expect(answer.available).toBe(false);
    if (answer.available) return;
    expect(answer.code).toBe('not-compiled');
    expect(answer.reason).toContain('no C compiler on PATH');
  });

  it('a compiler that fails (bad flags, missing headers) is a reason too, never a failed install', () => {
    const dir = join(scratch, 'failing-compiler');
    install(dir, { CC: 'false' });
    const answer = loadUring({ buildDir: dir, env: {} });
    expect(answer).toMatchObject({ available: false, code: 'not-compiled' });
  });

  it('an install step that never ran is named', () => {
    const answer = loadUring({ buildDir: join(scratch, 'never-built'), env: {} });
    expect(answer).toMatchObject({ available: false, code: 'not-compiled' });
    if (!answer.available) expect(answer.reason).toContain('install step did not run');
  });
});

describe('kernelVerdict', () => {
  const binding = {} as UringBinding;
  it('ENOSYS: the kernel has no io_uring', () => {
    expect(kernelVerdict(-38, binding, 'x')).toMatchObject({ code: 'kernel-too-old' });
  });
  it('EPERM: io_uring_disabled or a seccomp filter, named by the sysctl', () => {
    const verdict = kernelVerdict(-1, binding, 'x');
    expect(['io-uring-disabled', 'not-permitted']).toContain((verdict as { code: string }).code);
  });
  it('a missing opcode is named', () => {
    const verdict = kernelVerdict(1000 + 27, binding, 'x');
    expect(verdict).toMatchObject({ code: 'missing-operation' });
    expect((verdict as { reason: string }).reason).toContain('IORING_OP_RECV');
  });
  it('0: available', () => {
    expect(kernelVerdict(0, binding, 'x')).toMatchObject({ available: true });
  });
});
