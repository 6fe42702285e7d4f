#!/usr/bin/env node
// Compiles native/*.c into build/uring.node with the system C compiler
// against Node's own headers: no node-gyp, nothing downloaded. Runs as the
// package's `install` script and before tsup in `build`. It never fails the
// install: when it cannot compile it exits 0 and writes build/reason.txt,
// which the loader reports. A good binary is only ever replaced by a newer
// good one (compiled to a temporary name, then renamed).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// IOMODELS_URING_BUILD_DIR: somewhere else (the tests force a failed build there).
const buildDir = process.env.IOMODELS_URING_BUILD_DIR || join(root, 'build');
const binary = join(buildDir, 'uring.node');
const reasonFile = join(buildDir, 'reason.txt');

/** Where Node's headers may be: beside this node binary first, then the usual prefixes. */
function headerCandidates() {
  const fromExec = join(dirname(process.execPath), '..', 'include', 'node');
  const extra = process.env.IOMODELS_URING_NODE_HEADERS;
  return [extra, fromExec, '/usr/include/node', '/usr/local/include/node'].filter(Boolean);
}

function fail(reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(reasonFile, `${reason}\n`);
  process.stderr.write(`@iomodels/uring: not compiled (${reason}); the fallback will be used\n`);
  process.exit(0);
}

if (process.env.IOMODELS_URING_SKIP_BUILD === '1') fail('IOMODELS_URING_SKIP_BUILD=1 at install');
if (process.platform !== 'linux') fail(`not Linux (${process.platform}): io_uring is Linux-only`);
const headers = headerCandidates().find(
  (dir) => existsSync(join(dir, 'node_api.h')) && existsSync(join(dir, 'uv.h')),
);
if (!headers) {
  fail(`no Node headers (node_api.h and uv.h) in ${headerCandidates().join(', ')}`);
}
if (!existsSync('/usr/include/linux/io_uring.h')) {
  fail('no <linux/io_uring.h> (install the Linux kernel headers, e.g. linux-libc-dev)');
}
const compiler = process.env.CC || 'cc';
const sources = readdirSync(join(root, 'native'))
  .filter((file) => file.endsWith('.c'))
  .map((file) => join(root, 'native', file));
mkdirSync(buildDir, { recursive: true });
const temporary = `${binary}.${process.pid}.tmp`;
const args = ['-O2', '-std=gnu11', '-Wall', '-shared', '-fPIC', `-I${headers}`];
const result = spawnSync(compiler, [...args, ...sources, '-o', temporary], {
  encoding: 'utf8',
  timeout: 120_000,
});
if (result.error || result.status !== 0) {
  rmSync(temporary, { force: true });
  const why = result.error
    ? `${compiler}: ${result.error.code === 'ENOENT' ? 'no C compiler on PATH' : result.error.message}`
    : `${compiler} exited ${result.status}: ${result.stderr.trim().split('\n').slice(0, 5).join(' / ')}`;
  fail(why);
}
renameSync(temporary, binary);
rmSync(reasonFile, { force: true });
process.stderr.write(`@iomodels/uring: compiled build/uring.node (${compiler}, ${headers})\n`);
