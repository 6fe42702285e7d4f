// The CLI as users run it: the built bin, stdin piped, against the seed's
// own Python server and against small raw servers.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING, IVR_OPERATOR, IVR_RETRY } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const seedServer = fileURLToPath(new URL('./fixtures/seed_server.py', import.meta.url));
const hasPython = spawnSync('python3', ['--version']).status === 0;
const cleanup: Array<() => void> = [];

afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function startSeedServer(): Promise<number> {
  const child: ChildProcess = spawn('python3', [seedServer], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanup.push(() => child.kill());
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (d) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`seed server exited with ${code}`)));
  });
}

async function rawServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    onSocket(socket);
  });
  cleanup.push(() => server.close());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('iomodels-client', () => {
  it.skipIf(!hasPython)(
    "runs the seed's dialogue against Python's own socketserver (skipped without python3)",
    async () => {
      const port = await startSeedServer();
      const { code, stdout, stderr } = await runCli(['--port', String(port)], '0\n1234\nexit\n');
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect(stdout).toBe(
        [
          `receive: ${IVR_GREETING}`,
          'please input:0',
          `receive: ${IVR_OPERATOR}`,
          'please input:1234',
          `receive: ${IVR_RETRY}`,
          'please input:exit',
          '',
        ].join('\n'),
      );
    },
  );

  it('ends quietly at end of input without exit', async () => {
    const port = await rawServer((socket) => {
      socket.write('hello');
      socket.on('error', () => {});
    });
    const { code, stdout } = await runCli(['--port', String(port)], '');
    expect(code).toBe(0);
    expect(stdout).toBe('receive: hello\nplease input:');
  });

  it('says so in one line and exits 0 when the server closes the connection', async () => {
    const port = await rawServer((socket) => socket.end('bye'));
    const { code, stdout } = await runCli(['--port', String(port)], null);
    expect(code).toBe(0);
    expect(stdout).toContain('receive: bye\n');
    expect(stdout).toContain('server closed the connection\n');
  });

  it('prints one line and exits 1 when the connection is refused', async () => {
    const port = await rawServer(() => {});
    cleanup.pop()?.();
    const { code, stdout, stderr } = await runCli(['--port', String(port)], '');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `iomodels-client: cannot connect to 127.0.0.1:${port}: connection refused by 127.0.0.1:${port}\n`,
    );
  });

  it('rejects a bad flag with one line and exit 2', async () => {
    const { code, stderr } = await runCli(['--bogus'], '');
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^iomodels-client: Unknown option '--bogus'/);
  });
});
