// Compiles the C load generator (native/pingpong.c) into dist/native/ when
// the binary is missing or older than its source. No compiler, or a failed
// compile, is not an error: the bench then measures with the Node generator
// and says why.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The C source (this module runs from src/ in tests and from dist/ in the bench: both one level down). */
const SOURCE = fileURLToPath(new URL('../native/pingpong.c', import.meta.url));
const BINARY = fileURLToPath(new URL('../dist/native/pingpong', import.meta.url));
const FLAGS = ['-O2', '-std=c11', '-Wall', '-Wextra'];

export type NativeBuild =
  | {
      binary: string /** The command that compiled it now, or null when an up-to-date binary was there. */;
      compiler: string | null;
    }
  | { binary: null; reason: string };

/** The C compiler to use: `$CC` when set (split on spaces, e.g. `ccache gcc`), else `cc`, else `gcc`. */
function findCompiler(): string[] | null {
  const candidates = process.env.CC?.trim()
    ? [process.env.CC.trim().split(/\s+/)]
    : [['cc'], ['gcc']];
  for (const command of candidates) {
    const probe = spawnSync(command[0]!, [...command.slice(1), '--version'], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    if (probe.status === 0) return command;
  }
  return null;
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The C load generator's binary, compiled if needed, or why there is none. (Tests pass other paths.) */
export function buildNativeLoad({ source = SOURCE, binary = BINARY } = {}): NativeBuild {
  const sourceTime = mtime(source);
  if (sourceTime === null) return { binary: null, reason: `no source at ${source}` };
  const binaryTime = mtime(binary);
  if (binaryTime !== null && binaryTime >= sourceTime) return { binary, compiler: null };
  const compiler = findCompiler();
  if (!compiler) {
    return {
      binary: null,
      reason: process.env.CC ? `CC=${process.env.CC} does not run` : 'no C compiler (cc, gcc)',
    };
  }
  mkdirSync(dirname(binary), { recursive: true });
  // Compile beside the target and rename: a bench and a test compiling at once
  // must not run a half-written binary.
  const partial = `${binary}.${process.pid}.tmp`;
  const [program, ...prefix] = compiler;
  const run = spawnSync(program!, [...prefix, ...FLAGS, '-o', partial, source, '-lm'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) {
    rmSync(partial, { force: true });
    const output = `${run.stderr ?? ''}${run.error?.message ?? ''}`.trim().split('\n');
    return {
      binary: null,
      reason: `${compiler.join(' ')} failed (${run.signal ?? run.status}): ${output.slice(0, 5).join(' / ')}`,
    };
  }
  renameSync(partial, binary);
  return { binary, compiler: [...compiler, ...FLAGS].join(' ') };
}
