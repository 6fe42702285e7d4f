// The client over a Unix socket: `connect({ path })`, `connect('unix:PATH')`,
// and the CLI's `--connect`, against a small raw server on a socket file.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConnectionRefusedError, UsageError } from '@iomodels/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';
import { bin, runCli } from './run-cli.js';

let dir: string;
let file: string;
let server: net.Server;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-client-'));
  file = path.join(dir, 'echo.sock');
  // Greets, then echoes each chunk upper-cased; closes after "exit".
  server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('hello');
    socket.on('data', (data) => {
      if (String(data).trim() === 'exit') socket.end();
      else socket.write(String(data).toUpperCase());
    });
  });
  await new Promise<void>((resolve) => server.listen(file, resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('connect over a Unix socket', () => {
  it.each([
    ['{ path }', () => ({ path: file })],
    ['an endpoint string', () => `unix:${file}`],
  ])('connects with %s; remote says unix', async (_, target) => {
    const client = await connect(target());
    expect(client.remote).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    expect(client.local.family).toBe('unix');
    expect(new TextDecoder().decode(await client.recv())).toBe('hello');
    expect(await client.request('abc')).toBe('ABC');
    client.abort(); // no RST on a Unix socket: a plain close, no throw
  });

  it('connects to tcp:HOST:PORT too; remote says IPv4', async () => {
    const tcp = net.createServer((socket) => socket.end('over tcp'));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = tcp.address() as net.AddressInfo;
      const client = await connect(`tcp:127.0.0.1:${port}`);
      expect(client.remote).toEqual({ family: 'IPv4', host: '127.0.0.1', port });
      expect(new TextDecoder().decode(await client.recv())).toBe('over tcp');
      await client.close();
    } finally {
      tcp.close();
    }
  });

  it('a socket file nobody listens on is refused', async () => {
    const error = await connect({ path: path.join(dir, 'none.sock') }).catch((e: unknown) => e);
    expect(ConnectionRefusedError.isInstance(error)).toBe(true);
  });

  it('a bad endpoint string or path with a port is a usage error', async () => {
    await expect(connect('unix:')).rejects.toSatisfy((e) => UsageError.isInstance(e));
    await expect(connect('udp:127.0.0.1:9')).rejects.toSatisfy((e) => UsageError.isInstance(e));
    await expect(connect({ path: file, port: 1 })).rejects.toSatisfy((e) =>
      UsageError.isInstance(e),
    );
  });
});

describe.skipIf(!fs.existsSync(bin))('iomodels-client --connect', () => {
  it('runs the dialogue over unix:PATH', async () => {
    const { code, stdout } = await runCli(['--connect', `unix:${file}`], 'abc\nexit\n');
    expect(code).toBe(0);
    expect(stdout).toContain('receive: hello');
    expect(stdout).toContain('receive: ABC');
  });

  it.each([
    [['--connect', `unix:${dir}/x.sock`, '--port', '1'], /either --connect or --host\/--port/],
    [['--connect', 'nope'], /bad endpoint "nope"/],
  ])('rejects %j with exit 2', async (args, message) => {
    const { code, stderr } = await runCli(args, '');
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });

  it('names the socket file it cannot reach, exit 1', async () => {
    const { code, stderr } = await runCli(['--connect', `unix:${dir}/none.sock`], '');
    expect(code).toBe(1);
    expect(stderr).toContain(`cannot connect to unix:${dir}/none.sock`);
  });
});
