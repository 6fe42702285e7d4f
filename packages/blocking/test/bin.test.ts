// The bin, run as a separate process: serial mode (which blocks its event
// loop, so it cannot share a process with its clients), the shutdown of a
// thread stuck in read(2), and bad flags.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN_V8_FLAGS } from '../src/bin-v8-flags.js';
import { bin, eventually, fixtures, TestClient } from './helpers.js';

const running: ChildProcess[] = [];
const clients: TestClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.socket.destroy();
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}

async function startBin(...args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [fileURLToPath(bin), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await eventually(() => stdout.includes('\n') || child.exitCode !== null);
  const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
  return { child, port, stderr: () => stderr, exit };
}

async function connect(port: number, allowHalfOpen = false) {
  const client = await TestClient.connect(port, allowHalfOpen);
  clients.push(client);
  return client;
}

describe('iomodels-blocking', () => {
  it('--mode serial serves one connection at a time, in arrival order', async () => {
    const { port, child } = await startBin('--mode', 'serial');
    const first = await connect(port);
    await first.waitFor(IVR_GREETING);
    const second = await connect(port);
    // The server answers the first caller after the second connected…
    first.write('0');
    await first.waitFor(IVR_OPERATOR);
    // …and the second has not been greeted: the server was busy with the first.
    expect(second.text).toBe('');
    first.write('exit');
    await eventually(() => first.ended);
    await second.waitFor(IVR_GREETING);
    child.kill('SIGTERM');
  });

  it('prints the mode it runs: threading by default', async () => {
    const started = await startBin();
    expect(Number.isInteger(started.port)).toBe(true);
    started.child.kill('SIGTERM');
    expect(await started.exit).toEqual([0, null]);
  });

  it('a thread stuck in read(2) does not keep close() or the process from finishing', async () => {
    const handler = `${fileURLToPath(fixtures)}#StuckHandler`;
    const { child, port, stderr, exit } = await startBin('--handler', handler, '--grace', '0.1');
    const silent = await connect(port, true); // ignores the FIN it will get
    await silent.waitFor('ready');
    child.kill('SIGTERM');
    const [code, signal] = await exit;
    expect(stderr()).toMatch(
      /closed: 1 served, 0 refused: .*; at shutdown 1 open: 0 completed, 0 interrupted, 1 aborted/,
    );
    expect(stderr()).toMatch(/1 thread\(s\) still blocked in read\(2\)/);
    expect([code, signal]).toEqual([null, 'SIGKILL']);
  });

  it('forking mode: a stuck child is killed and the process exits 0', async () => {
    const handler = `${fileURLToPath(fixtures)}#StuckHandler`;
    const started = await startBin('--mode', 'forking', '--handler', handler, '--grace', '0.1');
    const silent = await connect(started.port, true);
    await silent.waitFor('ready');
    started.child.kill('SIGTERM');
    expect(await started.exit).toEqual([0, null]);
    expect(started.stderr()).toMatch(/1 aborted/);
  });

  it('rejects an unknown mode with one line and exit code 2', async () => {
    const { exit, stderr } = await startBin('--mode', 'fibers');
    expect((await exit)[0]).toBe(2);
    expect(stderr().trim().split('\n')).toHaveLength(1);
    expect(stderr()).toMatch(/--mode must be one of threading, serial, forking/);
  });

  it('refuses --workers 2 with one line and exit code 2', async () => {
    const { exit, stderr } = await startBin('--workers', '2');
    expect((await exit)[0]).toBe(2);
    expect(stderr()).toMatch(
      /^iomodels-blocking: --workers must be 1 for iomodels-blocking: threading and forking already spread connections over the cores\n$/,
    );
  });
  it('--mode forking starts its children with the V8 flags the bin sets for itself', async () => {
    const handler = `${fileURLToPath(fixtures)}#ExecArgvHandler`;
    const { port } = await startBin('--mode', 'forking', '--handler', handler);
    const client = await connect(port);
    expect(JSON.parse(await client.waitFor('\n'))).toEqual([...BIN_V8_FLAGS]);
  });
});
