// The Proactor's fidelity, seen from the kernel: strace counts the echo
// server's syscalls while 20 connections ping-pong 2,000 messages. A
// readiness server (plain Node net) makes a read and a write per message;
// on io_uring the socket IO is done by the kernel, and the process makes
// one io_uring_enter (and one eventfd read) per loop turn.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { skipReason, until } from './helpers.js';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const hasStrace = spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
const CONNECTIONS = 20;
const PER_CONNECTION = 100;
const MESSAGES = CONNECTIONS * PER_CONNECTION;
const scratch = mkdtempSync(join(tmpdir(), 'iomodels-uring-strace-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `strace -c` summary → calls per syscall name. */
function parseSummary(text: string): Record<string, number> {
  const calls: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const name = fields.at(-1)!;
    if (fields.length >= 5 && /^\d+$/.test(fields[3]!) && /^[a-z_0-9]+$/.test(name)) {
      calls[name] = Number(fields[3]);
    }
  }
  return calls;
}

/** Each connection sends 64 B, waits for the echo, and again, PER_CONNECTION times. */
function pingPong(port: number, connections: number, rounds: number): Promise<void> {
  const message = Buffer.alloc(64, 7);
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      let received = 0;
      let round = 0;
      socket.on('connect', () => socket.write(message));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received < 64) return;
        received -= 64;
        if (++round < rounds) socket.write(message);
        else socket.end(resolve);
      });
      socket.on('error', reject);
    });
  return Promise.all(Array.from({ length: connections }, one)).then(() => undefined);
}

const why = skipReason ?? (!hasStrace ? 'no strace' : !existsSync(bin) ? 'dist not built' : null);

describe.skipIf(why !== null)('syscall signature (strace -f -c)', () => {
  it('no read/write per message: io_uring_enter per batch', async () => {
    const summary = join(scratch, 'summary.txt');
    const traced = ['io_uring_enter', 'read', 'write', 'readv', 'writev', 'recvfrom', 'sendto'];
    const strace: ChildProcess = spawn(
      'strace',
      ['-f', '-c', '-o', summary, '-e', `trace=${traced.join(',')}`, process.execPath, bin],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    strace.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    const exited = new Promise((resolve) => strace.once('exit', resolve));
    try {
      await until(() => /listening on \S+:\d+/.test(out), 20_000);
      const port = Number(/listening on \S+:(\d+)/.exec(out)![1]);
      await pingPong(port, CONNECTIONS, PER_CONNECTION);
    } finally {
      // The traced node is strace's only child; SIGTERM it so strace writes its summary.
      const children = readFileSync(`/proc/${strace.pid}/task/${strace.pid}/children`, 'utf8');
      for (const pid of children.trim().split(/\s+/).filter(Boolean)) {
        process.kill(Number(pid), 'SIGTERM');
      }
      await exited;
    }
    const calls = parseSummary(readFileSync(summary, 'utf8'));
    process.stderr.write(`strace -c during ${MESSAGES} echoes: ${JSON.stringify(calls)}\n`);
    const socketIo = ['read', 'write', 'readv', 'writev', 'recvfrom', 'sendto']
      .map((name) => calls[name] ?? 0)
      .reduce((a, b) => a + b, 0);
    // Plain net makes ≥ 2 × MESSAGES of these; what remains here is Node's
    // start-up (module files) plus one eventfd read per loop turn.
    expect(socketIo, JSON.stringify(calls)).toBeLessThan(MESSAGES / 2);
    expect(calls.io_uring_enter).toBeGreaterThan(0);
    expect(calls.io_uring_enter).toBeLessThan(MESSAGES);
  });
});
