// The CLI as users run it: the built bin, stdin piped, against the seed's
// own Python server and against small raw servers.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING, IVR_OPERATOR, IVR_RETRY } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, runCli } from './run-cli.js';

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

  it('exits 1 with one line when the server closes the connection before exit', async () => {
    const port = await rawServer((socket) => socket.end('bye'));
    const { code, stdout, stderr } = await runCli(['--port', String(port)], null);
    expect(code).toBe(1);
    expect(stdout).toContain('receive: bye\n');
    expect(stderr).toBe('iomodels-client: server closed the connection\n');
  });

  it('exits 1 with one line when the server resets the connection', async () => {
    const port = await rawServer((socket) => {
      socket.write('hello');
      socket.once('data', () => socket.resetAndDestroy());
    });
    const { code, stdout, stderr } = await runCli(['--port', String(port)], '1\n');
    expect(code).toBe(1);
    expect(stdout).toContain('receive: hello\n');
    expect(stderr).toMatch(/^iomodels-client: connection lost: [^\n]+\n$/);
  });

  it('exits 0 after exit even though the server then closes', async () => {
    const port = await rawServer((socket) => {
      socket.write('hello');
      socket.on('data', (data) => (String(data) === 'exit' ? socket.end() : socket.write('ok')));
    });
    const { code, stderr } = await runCli(['--port', String(port)], '1\nexit\n');
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('exits 124 with one line when no reply comes within --timeout', async () => {
    const port = await rawServer((socket) => socket.write('hello'));
    const { code, stdout, stderr } = await runCli(
      ['--port', String(port), '--timeout', '0.2'],
      '1\n',
    );
    expect(code).toBe(124);
    expect(stdout).toBe('receive: hello\nplease input:1\n');
    expect(stderr).toBe(`iomodels-client: no reply from 127.0.0.1:${port} within 0.2 s\n`);
  });

  it('exits 124 when even the greeting does not come within --timeout', async () => {
    const port = await rawServer(() => {});
    const { code, stderr } = await runCli(['--port', String(port), '--timeout', '0.2'], '');
    expect(code).toBe(124);
    expect(stderr).toBe(`iomodels-client: no reply from 127.0.0.1:${port} within 0.2 s\n`);
  });

  it('waits past the default 5 s for the greeting with --timeout 0', async () => {
    const port = await rawServer((socket) => {
      const timer = setTimeout(() => socket.write('late'), 5_500);
      socket.on('close', () => clearTimeout(timer));
    });
    const { code, stdout, stderr } = await runCli(['--port', String(port), '--timeout', '0'], '');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe('receive: late\nplease input:');
  }, 20_000);

  it('prompts again at once after an empty line (it sends nothing, so no reply is due)', async () => {
    const port = await rawServer((socket) => {
      socket.write('hello');
      socket.on('data', (data) => (String(data) === 'exit' ? socket.end() : socket.write('ok')));
    });
    // A wait for a reply to the empty line would end in exit 124 after 0.5 s.
    const { code, stdout, stderr } = await runCli(
      ['--port', String(port), '--timeout', '0.5'],
      '\n\n0\nexit\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      'receive: hello\nplease input:\nplease input:\nplease input:0\nreceive: ok\nplease input:exit\n',
    );
  });

  it('exits 130 on SIGINT (Ctrl-C)', async () => {
    const port = await rawServer((socket) => socket.write('hello'));
    const child = spawn(process.execPath, [bin, '--port', String(port)], { stdio: 'pipe' });
    cleanup.push(() => child.kill('SIGKILL'));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const code = new Promise<number | null>((resolve) => child.on('close', resolve));
    child.kill('SIGINT');
    expect(await code).toBe(130);
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

  it.each(['-1', '0x4700', '1e3', '08.5', '0'])(
    'rejects --port %s with one line and exit 2',
    async (port) => {
      const { code, stderr } = await runCli(['--port', port], '');
      expect(code).toBe(2);
      expect(stderr).toBe(
        `iomodels-client: --port must be an integer from 1 to 65535, got "${port}"\n`,
      );
    },
  );

  it.each([
    [['--ca', 'cert.pem'], 'iomodels-client: --ca goes with --tls\n'],
    [
      ['--tls', '--ca', '/nonexistent/ca.pem'],
      'iomodels-client: --ca: cannot read /nonexistent/ca.pem: ENOENT\n',
    ],
  ])('rejects %j with one line and exit 2', async (argv, message) => {
    const { code, stderr } = await runCli(argv, '');
    expect(code).toBe(2);
    expect(stderr).toBe(message);
  });
});
