// Finds out, once per process, whether io_uring can run here, and says why
// not when it cannot: disabled by the environment, not Linux, nothing
// compiled at install (with the install's own reason), the add-on fails to
// load, or the kernel refuses io_uring (too old, `kernel.io_uring_disabled`,
// a seccomp filter) or lacks an operation the backend needs.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { errnoName } from './errno-name.js';
import type { UringBinding } from './uring-binding.js';

/** Why the add-on is not used; stable strings for code, `reason` for people. */
export type UringUnavailableCode =
  | 'disabled'
  | 'not-linux'
  | 'not-compiled'
  | 'load-failed'
  | 'kernel-too-old'
  | 'io-uring-disabled'
  | 'not-permitted'
  | 'missing-operation';

/** The loader's answer: the binding, or the reason there is none. */
export type UringAvailability =
  | { available: true; binding: UringBinding; path: string }
  | { available: false; code: UringUnavailableCode; reason: string };

/** Where to look; tests point these elsewhere to force the fallback. */
export interface LoadUringOptions {
  /** Folder holding `uring.node` or `reason.txt`; default the package's `build/`. */
  buildDir?: string;
  /** Environment to read `IOMODELS_URING_DISABLE` from; default `process.env`. */
  env?: Record<string, string | undefined>;
  /** Platform to assume; default `process.platform`. */
  platform?: string;
}

const OPCODE_NAMES: Record<number, string> = {
  13: 'ACCEPT',
  14: 'ASYNC_CANCEL',
  19: 'CLOSE',
  26: 'SEND',
  27: 'RECV',
  34: 'SHUTDOWN',
};

const defaultBuildDir = fileURLToPath(new URL('../build/', import.meta.url));
let cached: UringAvailability | undefined;

/**
 * Loads `build/uring.node` and probes the kernel. With no options the answer
 * is computed once and cached; set `IOMODELS_URING_DISABLE=1` to force the
 * fallback (the reason then says so).
 */
export function loadUring(options: LoadUringOptions = {}): UringAvailability {
  const isDefault = Object.keys(options).length === 0;
  if (isDefault && cached) return cached;
  const answer = probe(options);
  if (isDefault) cached = answer;
  return answer;
}

function unavailable(code: UringUnavailableCode, reason: string): UringAvailability {
  return { available: false, code, reason };
}

function probe(options: LoadUringOptions): UringAvailability {
  const env = options.env ?? process.env;
  if (env.IOMODELS_URING_DISABLE === '1') {
    return unavailable('disabled', 'IOMODELS_URING_DISABLE=1 is set');
  }
  const platform = options.platform ?? process.platform;
  if (platform !== 'linux') {
    return unavailable('not-linux', `io_uring is Linux-only (this is ${platform})`);
  }
  const dir = options.buildDir ?? defaultBuildDir;
  const path = `${dir.replace(/\/?$/, '/')}uring.node`;
  if (!existsSync(path)) {
    const reasonFile = `${dir.replace(/\/?$/, '/')}reason.txt`;
    const why = existsSync(reasonFile)
      ? readFileSync(reasonFile, 'utf8').trim()
      : 'the install step did not run (run `node scripts/build-native.mjs` in @iomodels/uring)';
    return unavailable('not-compiled', `no compiled add-on at ${path}: ${why}`);
  }
  let binding: UringBinding;
  try {
    binding = createRequire(import.meta.url)(path) as UringBinding;
  } catch (error) {
    return unavailable('load-failed', `${path} does not load: ${(error as Error).message}`);
  }
  return kernelVerdict(binding.probe(), binding, path);
}

/** Turns the add-on's probe result into a verdict a person can act on. */
export function kernelVerdict(
  result: number,
  binding: UringBinding,
  path: string,
): UringAvailability {
  if (result === 0) return { available: true, binding, path };
  if (result >= 1000) {
    const op = OPCODE_NAMES[result - 1000] ?? `opcode ${result - 1000}`;
    return unavailable(
      'missing-operation',
      `the kernel's io_uring lacks IORING_OP_${op} (Linux 5.11 or later has every operation used)`,
    );
  }
  const name = errnoName(result);
  if (name === 'ENOSYS') {
    return unavailable('kernel-too-old', 'io_uring_setup: ENOSYS, the kernel has no io_uring');
  }
  if (name === 'EPERM' || name === 'EACCES') {
    const sysctl = readSysctl();
    if (sysctl !== null && sysctl !== '0') {
      return unavailable(
        'io-uring-disabled',
        `io_uring_setup: ${name}, kernel.io_uring_disabled = ${sysctl}`,
      );
    }
    return unavailable(
      'not-permitted',
      `io_uring_setup: ${name} with kernel.io_uring_disabled = ${sysctl ?? 'unknown'}: a seccomp profile (e.g. a container runtime's default) forbids io_uring`,
    );
  }
  return unavailable('load-failed', `io_uring_setup failed: ${name}`);
}

function readSysctl(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/io_uring_disabled', 'utf8').trim();
  } catch {
    return null;
  }
}
