#!/usr/bin/env node
// Compiles native/descriptor-io.c into build/descriptor-io.node with the
// system C compiler against Node's own headers (Node-API: one binary serves
// every Node version from 20 on). Runs as the package's `install` script and
// before tsup in `build`. It never fails the install: when it cannot compile
// it exits 0 and writes build/reason.txt, and the servers read and write
// through Node's fs binding instead (src/native-descriptor-io.ts). A good
// binary is only ever replaced by a newer good one.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const buildDir = join(root, 'build');
const binary = join(buildDir, 'descriptor-io.node');
const reasonFile = join(buildDir, 'reason.txt');

/** Where Node's headers may be: beside this node binary first, then the usual prefixes. */
function headerCandidates() {
  const fromExec = join(dirname(process.execPath), '..', 'include', 'node');
  return [fromExec, '/usr/include/node', '/usr/local/include/node'];
}

function fail(reason) {
  mkdirSync(buildDir, { recursive: true });
  writeFileSync(reasonFile, `${reason}\n`);
  process.stderr.write(
    `@iomodels/blocking: native read/write not compiled (${reason}); Node's fs binding will be used\n`,
  );
  process.exit(0);
}

if (process.env.IOMODELS_BLOCKING_SKIP_NATIVE === '1')
  fail('IOMODELS_BLOCKING_SKIP_NATIVE=1 at install');
if (process.platform === 'win32') fail('Windows: blocking descriptors are POSIX');
const headers = headerCandidates().find((dir) => existsSync(join(dir, 'node_api.h')));
if (!headers) fail(`no Node headers (node_api.h) in ${headerCandidates().join(', ')}`);
const compiler = process.env.CC || 'cc';
mkdirSync(buildDir, { recursive: true });
const temporary = `${binary}.${process.pid}.tmp`;
const args = ['-O2', '-std=gnu11', '-Wall', '-shared', '-fPIC', `-I${headers}`];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const result = spawnSync(
  compiler,
  [...args, join(root, 'native', 'descriptor-io.c'), '-o', temporary],
  {
    encoding: 'utf8',
    timeout: 120_000,
  },
);
if (result.error || result.status !== 0) {
  rmSync(temporary, { force: true });
  const why = result.error
    ? `${compiler}: ${result.error.code === 'ENOENT' ? 'no C compiler on PATH' : result.error.message}`
    : `${compiler} exited ${result.status}: ${result.stderr.trim().split('\n').slice(0, 5).join(' / ')}`;
  fail(why);
}
renameSync(temporary, binary);
rmSync(reasonFile, { force: true });
process.stderr.write(
  `@iomodels/blocking: compiled build/descriptor-io.node (${compiler}, ${headers})\n`,
);
