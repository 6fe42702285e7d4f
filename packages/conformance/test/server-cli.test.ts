// The command-line contract every model's bin shares, tested on the
// reference server's bin (built): flags, the listening line, exit codes,
// graceful stop on a signal.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { connect } from '@iomodels/client';
import { IVR_GREETING } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { recvText } from '../src/wire.js';

const bin = fileURLToPath(new URL('../dist/reference-bin.js', import.meta.url));
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

function start(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args]);
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

async function listening(run: Run): Promise<number> {
  for (;;) {
    const match = /^listening on 127\.0\.0\.1:(\d+) \(reference\/stream\)\n$/.exec(run.stdout());
    if (match) return Number(match[1]);
    const settled = await Promise.race([
      run.exited.then(() => 'exited' as const),
      new Promise((resolve) => setTimeout(resolve, 20)),
    ]);
    if (settled === 'exited') throw new Error(`bin exited: ${run.stderr()}`);
  }
}

describe('the shared server CLI', () => {
  it('prints the listening line, serves, and exits 0 on SIGINT', async () => {
    const run = start(['--port', '0']);
    const port = await listening(run);
    const client = await connect({ port });
    expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
    await client.close();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    // over the server's life, whether or not the call was still open at the signal
    expect(run.stderr()).toMatch(
      /: closed: 1 served, 0 refused: 1 completed, 0 failed, 0 timed out; at shutdown [01] open: .* abandoned\n/,
    );
  });

  it('takes --backlog', async () => {
    const run = start(['--port', '0', '--backlog', '4096']);
    const port = await listening(run);
    const client = await connect({ port });
    expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
    await client.close();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('exits 0 on SIGTERM after an open connection is ended with FIN', async () => {
    const run = start(['--port', '0', '--grace', '0.1']);
    const port = await listening(run);
    const client = await connect({ port });
    await recvText(client, IVR_GREETING);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect((await client.recv()).length).toBe(0);
  });

  it.each([
    [['--bogus'], /^iomodels-reference: Unknown option '--bogus'/],
    [['--port', 'x'], /^iomodels-reference: --port must be an integer from 0 to 65535, got "x"\n$/],
    [
      ['--port', '-1'],
      /^iomodels-reference: --port must be an integer from 0 to 65535, got "-1"\n$/,
    ],
    [['--port', '0x4700'], /^iomodels-reference: --port must be an integer from 0 to 65535/],
    [['--handler', 'nope'], /^iomodels-reference: unknown handler "nope" \(built-in: ivr, echo/],
    [
      ['--handler', './missing.js'],
      /^iomodels-reference: cannot load handler module \/\S*\/missing\.js: no such file\n$/,
    ],
    [['--mode', 'threads'], /^iomodels-reference: --mode must be one of stream/],
    [
      ['--backlog', '0'],
      /^iomodels-reference: --backlog must be an integer from 1 to 2147483647, got "0"\n$/,
    ],
  ])('rejects %j with one line on stderr and exit 2', async (args, message) => {
    const run = start(args.includes('--port') ? args : [...args, '--port', '0']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(message);
    expect(run.stderr().trim().split('\n')).toHaveLength(1);
    expect(run.stdout()).toBe('');
  });

  it('reports a port in use in one line and exits 2', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as net.AddressInfo;
    try {
      const run = start(['--port', String(port)]);
      expect(await run.exited).toBe(2);
      expect(run.stderr()).toBe(
        `iomodels-reference: address 127.0.0.1:${port} is already in use\n`,
      );
    } finally {
      taken.close();
    }
  });

  it('prints usage for --help and exits 0', async () => {
    const run = start(['--help']);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(
      /^usage: iomodels-reference \[--listen ENDPOINT \| --host HOST --port PORT\]/,
    );
  });
});
