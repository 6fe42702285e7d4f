import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseServerEndpoint } from './endpoint.js';
import { AddressInUseError, ListenError, UsageError } from './errors.js';
import { listenOnEndpoint, resolveServerEndpoint } from './listen-endpoint.js';

let dir: string;
const servers: net.Server[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-listen-'));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  fs.rmSync(dir, { recursive: true, force: true });
});

function server(): net.Server {
  const s = net.createServer((socket) => socket.end('hi'));
  servers.push(s);
  return s;
}

function closed(s: net.Server): Promise<void> {
  return new Promise((resolve) => s.close(() => resolve()));
}

describe('resolveServerEndpoint', () => {
  it('makes tcp: of the host/port shorthands, with the defaults', () => {
    expect(resolveServerEndpoint({})).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 8009 });
    expect(resolveServerEndpoint({ host: '::1', port: 0 })).toEqual({
      kind: 'tcp',
      host: '::1',
      port: 0,
    });
  });

  it('parses a string and passes a parsed endpoint through', () => {
    expect(resolveServerEndpoint({ listen: 'unix:/x.sock' })).toEqual({
      kind: 'unix',
      path: '/x.sock',
      lockfile: false,
    });
    const fd = { kind: 'fd', fd: 3 } as const;
    expect(resolveServerEndpoint({ listen: fd })).toBe(fd);
  });

  it('refuses listen with host/port, udp, and a bad string', () => {
    expect(() => resolveServerEndpoint({ listen: 'tcp:0', port: 1 })).toThrow(UsageError);
    expect(() => resolveServerEndpoint({ listen: 'udp:0' })).toThrow(/cannot listen on udp/);
    expect(() => resolveServerEndpoint({ listen: 'tcp' })).toThrow(UsageError);
  });
});

describe('listenOnEndpoint', () => {
  it('listens on tcp and reports the bound port', async () => {
    const bound = await listenOnEndpoint(server(), { kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(bound.address).toMatchObject({ family: 'IPv4', host: '127.0.0.1' });
    expect(bound.address.port).toBeGreaterThan(0);
  });

  it('listens on tcp6: on ::1 by default, where the machine has IPv6 loopback', async (context) => {
    const endpoint = parseServerEndpoint('tcp6:0');
    const bound = await listenOnEndpoint(server(), endpoint).catch(() => undefined);
    if (bound === undefined) return context.skip(); // no ::1 here
    expect(bound.address).toMatchObject({ family: 'IPv6', host: '::1' });
  });

  it('listens on a unix socket with its mode, serves it, and release removes the file', async () => {
    const file = path.join(dir, 's.sock');
    const s = server();
    const bound = await listenOnEndpoint(s, {
      kind: 'unix',
      path: file,
      lockfile: false,
      mode: 0o600,
    });
    expect(bound.address).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const reply = await new Promise<string>((resolve) => {
      let text = '';
      net
        .connect(file)
        .on('data', (d) => (text += d))
        .on('end', () => resolve(text));
    });
    expect(reply).toBe('hi');
    await closed(s);
    bound.release();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('refuses an existing file without a lockfile, with one clear line', async () => {
    const file = path.join(dir, 'stale.sock');
    fs.writeFileSync(file, '');
    const attempt = listenOnEndpoint(server(), { kind: 'unix', path: file, lockfile: false });
    await expect(attempt).rejects.toThrow(AddressInUseError);
    await expect(attempt).rejects.toThrow(/already exists .*lockfile=1/);
    expect(fs.existsSync(file)).toBe(true);
  });

  it('with lockfile=1 replaces a stale socket file whose lock names a dead process', async () => {
    const file = path.join(dir, 'l.sock');
    // A server that died: its socket file stays (libuv unlinks it on a clean
    // close, so it is moved aside meanwhile), its lock names a gone pid.
    const dead = net.createServer();
    await new Promise<void>((resolve) => dead.listen(file, resolve));
    fs.renameSync(file, `${file}.kept`);
    await closed(dead);
    fs.renameSync(`${file}.kept`, file);
    fs.writeFileSync(`${file}.lock`, '2147483646\n');
    expect(fs.lstatSync(file).isSocket()).toBe(true);

    const s = server();
    const bound = await listenOnEndpoint(s, { kind: 'unix', path: file, lockfile: true });
    expect(fs.readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(process.pid));
    // A second server is refused while we hold the lock.
    await expect(
      listenOnEndpoint(server(), { kind: 'unix', path: file, lockfile: true }),
    ).rejects.toThrow(`process ${process.pid} holds ${file}.lock`);
    await closed(s);
    bound.release();
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('with lockfile=1 refuses to remove a file that is not a socket', async () => {
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, 'data');
    await expect(
      listenOnEndpoint(server(), { kind: 'unix', path: file, lockfile: true }),
    ).rejects.toThrow(ListenError);
    expect(fs.readFileSync(file, 'utf8')).toBe('data');
  });

  it('names the endpoint when the descriptor is not a listening socket', async () => {
    await expect(listenOnEndpoint(server(), { kind: 'fd', fd: 987 })).rejects.toThrow(/fd:987/);
  });

  it('refuses systemd: when not socket-activated', async () => {
    await expect(listenOnEndpoint(server(), { kind: 'systemd', index: 0 })).rejects.toThrow(
      /LISTEN_PID and LISTEN_FDS are not set/,
    );
  });
});
