// The interleaved comparison end to end, on the built script: two
// instances of plain net, one pair at one small connection count. Nothing
// is judged about speed; the table's shape and the exit codes are.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildNativeLoad } from '../src/native-build.js';

const script = fileURLToPath(new URL('../dist/run-compare.js', import.meta.url));
const canRun = existsSync(script) && buildNativeLoad().binary !== null;

const run = (args: string[]) =>
  spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 60_000 });

describe.skipIf(!canRun)('run-compare', () => {
  it('measures two servers back to back and prints one row per connection count', () => {
    const out = run(['--servers', 'node-net,node-net', '--connections', '2,3', '--pairs', '1']);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('node-net ÷ node-net');
    expect(out.stdout).toMatch(
      /^\| 2 \| \S+ \| \S+ \| \d+\.\d\d× \(\d+\.\d\d–\d+\.\d\d\) \| [01] of 1 \|/m,
    );
    expect(out.stdout).toMatch(/^\| 3 \| /m);
    expect(out.stderr).toContain('@3 pair 1');
  });

  it('measures over a Unix socket with --transport unix', () => {
    const out = run([
      ...['--servers', 'node-net,node-net', '--connections', '2'],
      ...['--pairs', '1', '--transport', 'unix'],
    ]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).toContain('node-net ÷ node-net over a Unix socket');
    expect(out.stdout).toMatch(/^\| 2 \| \S+ \| \S+ \| \d+\.\d\d× /m);
  });

  it('measures connection rate and idle memory per connection when asked', () => {
    const out = run([
      ...['--servers', 'node-net,node-net', '--connections', '0'],
      ...['--rate', '2', '--idle', '20', '--idle-settle', '100', '--pairs', '1'],
    ]);
    expect(out.status, out.stderr).toBe(0);
    expect(out.stdout).not.toContain('ping-pong');
    expect(out.stdout).toContain('connection rate');
    expect(out.stdout).toMatch(/^\| 2 \| \S+ \| \S+ \| \d+\.\d\d× /m);
    expect(out.stdout).toContain('idle memory per connection');
    // KiB per connection can be negative noise at 20 connections; the row's shape is what counts.
    expect(out.stdout).toMatch(/^\| 20 \| -?\d+\.\d \(/m);
    expect(out.stderr).toContain('idle @20 pair 1');
  });

  it.each([
    [['--servers', 'node-net'], /exactly two names/],
    [['--servers', 'node-net,no-such-server'], /unknown server no-such-server/],
    [['--servers', 'node-net,node-net', '--pairs', '0'], /--pairs takes a positive integer/],
    [['--servers', 'node-net,node-net', '--transport', 'udp'], /--transport is tcp or unix/],
    [
      ['--servers', 'node-net,node-net', '--connections', 'x'],
      /--connections takes positive integers/,
    ],
    [['--servers', 'node-net,node-net', '--rate', '-1'], /--rate takes positive integers/],
    [['--servers', 'node-net,node-net', '--connections', '0'], /nothing to measure/],
    [['--servers', 'node-net,node-net', '--idle-settle', '-5'], /--idle-settle takes milliseconds/],
  ])('refuses %j with one line and exit 2', (args, message) => {
    const out = run(args);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(message);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
