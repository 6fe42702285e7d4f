// The scaling profile's plumbing end to end, on the built bench: one server,
// the smoke timing. Nothing is judged about speed; the report's shape, the
// note about the machine and the exit codes are.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNativeLoad } from '../src/native-build.js';

const script = fileURLToPath(new URL('../dist/run-bench.js', import.meta.url));
const reactor = fileURLToPath(new URL('../../multiplex/dist/bin.js', import.meta.url));
const canRun = existsSync(script) && existsSync(reactor) && buildNativeLoad().binary !== null;

const run = (args: string[]) =>
  spawnSync(process.execPath, [script, '--profile', 'scaling', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });

describe.skipIf(!canRun)('npm run bench -- --profile scaling', () => {
  it('measures a server at 10 and 100 connections and prints the workers table', () => {
    const out = run(['--smoke', '--only', 'multiplex', '--server-cpus', '1']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^scaling profile: \d+ cores?/m);
    if (os.cpus().length === 2) expect(out.stdout).toContain('a machine with more cores is needed');
    expect(out.stdout).toMatch(/^\| multiplex\/reactor \| 1 \| 10 \| \S+ \| 1\.00× \| /m);
    expect(out.stdout).toMatch(/^\| multiplex\/reactor \| 1 \| 100 \| /m);
    expect(out.stdout).not.toContain('wrote ');
  });

  it.each([
    [['--server-cpus', '0'], /--server-cpus takes 1 to/],
    [['--frobnicate'], /unknown flag --frobnicate for the scaling profile/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const out = run(args);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
