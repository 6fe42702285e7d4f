// `--workers N` on the multiplex bin (built): one supervisor, N worker
// processes on one address; signals, crash replacement, rolling restart.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/iomodels-multiplex.js', import.meta.url));
const pidHandler = fileURLToPath(new URL('./fixtures/pid-handler.mjs', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

interface Run {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts the bin; on `--port 0` unless `where` says otherwise (e.g. `--listen unix:…`). */
function startBin(args: string[], where = ['--port', '0']): Run {
  const child = spawn(process.execPath, [bin, ...where, ...args]);
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves when `predicate()` holds, polling; fails after `ms`. */
async function until(predicate: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function listeningPort(run: Run, workers = ', 2 workers'): Promise<number> {
  const line = new RegExp(
    `^listening on 127\\.0\\.0\\.1:(\\d+) \\(multiplex/reactor${workers}\\)\n$`,
  );
  await until(() => line.test(run.stdout()), `the listening line (stderr: ${run.stderr()})`);
  return Number(line.exec(run.stdout())![1]);
}

/** A connection to the pid handler (a port, or a socket file): the serving worker's pid, and the socket (still open). */
async function dial(to: number | string): Promise<{ pid: number; socket: net.Socket }> {
  const socket = typeof to === 'number' ? net.connect(to, '127.0.0.1') : net.connect(to);
  let text = '';
  socket.setEncoding('utf8');
  const line = new Promise<string>((resolve, reject) => {
    socket.on('data', function onData(chunk: string) {
      text += chunk;
      if (text.includes('\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    });
    socket.once('error', reject);
    // A connection handed to no worker would hang: fail it by name instead.
    socket.setTimeout(15_000, () => reject(new Error('no pid line within 15 s')));
    socket.once('close', () => reject(new Error(`closed before the pid line: "${text}"`)));
  });
  const pid = Number.parseInt(await line, 10);
  socket.setTimeout(0);
  return { pid, socket };
}

/** Pids seen over up to `tries` dialogues, until `enough` distinct ones. */
async function pidsServing(to: number | string, enough: number, tries = 40): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < tries && pids.size < enough; i++) {
    const { pid, socket } = await dial(to);
    pids.add(pid);
    socket.end();
    await once(socket, 'close');
  }
  return pids;
}

const closedLine = (run: Run) => run.stderr().match(/: closed: .*\n/g) ?? [];

describe('--workers 2', () => {
  it('serves dialogues from both workers and closes with one combined line', async () => {
    const run = startBin(['--workers', '2', '--handler', pidHandler]);
    const port = await listeningPort(run);
    const pids = await pidsServing(port, 2);
    expect(pids.size).toBe(2);
    expect(pids.has(run.child.pid!)).toBe(false);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(closedLine(run)).toHaveLength(1);
    expect(closedLine(run)[0]).toMatch(/: closed: \d+ served, 0 refused: \d+ completed, 0 failed/);
  });

  it('completes a dialogue in flight on SIGTERM', async () => {
    const run = startBin(['--workers', '2', '--handler', pidHandler]);
    const port = await listeningPort(run);
    const { socket } = await dial(port);
    run.child.kill('SIGTERM');
    await until(() => /SIGTERM: closing 2 workers/.test(run.stderr()), 'the closing line');
    socket.write('still here\n');
    const [echo] = await once(socket, 'data');
    expect(echo).toBe('still here\n');
    socket.end();
    expect(await run.exited).toBe(0);
    expect(closedLine(run)).toEqual([
      expect.stringMatching(
        /: closed: 1 served, 0 refused: 1 completed, 0 failed, 0 timed out; at shutdown 1 open: 1 completed, 0 interrupted, 0 aborted, 0 abandoned\n/,
      ),
    ]);
  });

  it('replaces a worker that dies, and only its connections are lost', async () => {
    const run = startBin(['--workers', '2', '--handler', pidHandler]);
    const port = await listeningPort(run);
    const victim = await dial(port);
    const closed = once(victim.socket, 'close');
    process.kill(victim.pid, 'SIGKILL');
    await closed;
    await until(() => /worker \d+ replaced it/.test(run.stderr()), 'the replacement');
    const pids = await pidsServing(port, 2);
    expect(pids.size).toBe(2);
    expect(pids.has(victim.pid)).toBe(false);
  });

  it('serves a unix: socket file from both workers, and removes it at the end', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-workers-'));
    try {
      const file = path.join(dir, 'ivr.sock');
      const run = startBin(
        ['--workers', '2', '--handler', pidHandler],
        ['--listen', `unix:${file}`],
      );
      const line = `listening on unix:${file} (multiplex/reactor, 2 workers)\n`;
      await until(() => run.stdout() === line, `the listening line (stderr: ${run.stderr()})`);
      const pids = await pidsServing(file, 2);
      expect(pids.size).toBe(2);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(closedLine(run)).toHaveLength(1);
      expect(fs.existsSync(file)).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts the workers one at a time on SIGHUP without refusing a connection', async () => {
    const run = startBin(['--workers', '2', '--handler', pidHandler]);
    const port = await listeningPort(run);
    const before = await pidsServing(port, 2);
    run.child.kill('SIGHUP');
    const seen = new Set<number>();
    // Bounded: dial until the roll is reported done, at most 3000 dialogues or 60 s.
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < 3000 && Date.now() < deadline; i++) {
      const { pid, socket } = await dial(port).catch((error: Error) => {
        throw new Error(`${error.message}; the bin said: ${run.stderr()}`);
      });
      seen.add(pid);
      socket.end();
      await once(socket, 'close');
      if (/SIGHUP: restarted 2 workers/.test(run.stderr())) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // the dialogues spanned the roll: old and new workers both answered
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(run.stderr()).toMatch(/SIGHUP: restarted 2 workers/);
    const after = await pidsServing(port, 2);
    expect(after.size).toBe(2);
    for (const pid of after) expect(before.has(pid)).toBe(false);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(closedLine(run)).toHaveLength(1);
  });
});

function scrape(port: number): Promise<{ status?: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/metrics' }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode, type: response.headers['content-type'], body }),
        );
      })
      .on('error', reject);
  });
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** `--workers 2` with `--metrics` on a free port; resolves once it listens. */
async function startWorkersWithMetrics(): Promise<{ metricsPort: number; run: Run; port: number }> {
  const metricsPort = await freePort();
  const run = startBin([
    '--workers',
    '2',
    '--handler',
    pidHandler,
    '--metrics',
    `tcp:${metricsPort}`,
  ]);
  return { metricsPort, run, port: await listeningPort(run) };
}

describe('--metrics', () => {
  it("serves a single process's counters without a worker label", async () => {
    const metricsPort = await freePort();
    const run = startBin(['--handler', pidHandler, '--metrics', `tcp:${metricsPort}`]);
    const port = await listeningPort(run, '');
    await pidsServing(port, 1, 1);
    const { status, body } = await scrape(metricsPort);
    expect(status).toBe(200);
    expect(body).toMatch(/^iomodels_accepted_total\{model="multiplex",mode="reactor"\} 1$/m);
    expect(body).toMatch(/^iomodels_connections_active\{model="multiplex",mode="reactor"\} \d+$/m);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it("keeps a crashed worker's counts: in a retired series and in the closing line", async () => {
    const { metricsPort, run, port } = await startWorkersWithMetrics();
    const victim = await dial(port);
    // Once a scrape counts the connection, the supervisor holds the victim's counters.
    const acceptedSum = (body: string) =>
      [...body.matchAll(/^iomodels_accepted_total\{[^}]*\} (\d+)$/gm)].reduce(
        (sum, match) => sum + Number(match[1]),
        0,
      );
    for (let i = 0; i < 200 && acceptedSum((await scrape(metricsPort)).body) < 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const closed = once(victim.socket, 'close');
    process.kill(victim.pid, 'SIGKILL');
    await closed;
    await until(() => /worker \d+ replaced it/.test(run.stderr()), 'the replacement');
    expect(run.stderr()).toMatch(/exited \(SIGKILL; 1 open connections lost\)/);
    const { body } = await scrape(metricsPort);
    expect(body).toMatch(
      /^iomodels_accepted_total\{model="multiplex",mode="reactor",worker="retired"\} 1$/m,
    );
    expect(body).toMatch(
      /^iomodels_connections_active\{model="multiplex",mode="reactor",worker="retired"\} 0$/m,
    );
    await pidsServing(port, 1, 1);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(closedLine(run)).toEqual([
      expect.stringMatching(/: closed: 2 served, 0 refused: 1 completed/),
    ]);
  });

  it("serves each worker's counters, labelled, as Prometheus text", async () => {
    const { metricsPort, run, port } = await startWorkersWithMetrics();
    const pids = await pidsServing(port, 2);
    const { status, type, body } = await scrape(metricsPort);
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toMatch(/^# TYPE iomodels_accepted_total counter$/m);
    const accepted = [
      ...body.matchAll(
        /^iomodels_accepted_total\{model="multiplex",mode="reactor",worker="\d+"\} (\d+)$/gm,
      ),
    ];
    expect(accepted).toHaveLength(2);
    const total = accepted.reduce((sum, match) => sum + Number(match[1]), 0);
    expect(total).toBeGreaterThanOrEqual(pids.size);
    expect((await scrape(metricsPort).catch(() => undefined))?.status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
