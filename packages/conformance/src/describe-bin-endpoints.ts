// What every server bin must do with endpoints, tested on the built bin:
// `--listen unix:` (listening line, mode, dialogue, file removed on exit),
// a clear exit 2 for a bad or taken endpoint, systemd socket activation on
// an inherited listening descriptor (`--listen systemd:`), and, for the
// bins that take `--workers`, several workers on one socket file behind a
// PROXY header (HAProxy's `unix@` servers with `send-proxy-v2`).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@iomodels/client';
import { IVR_GREETING, IVR_OPERATOR, SD_LISTEN_FDS_START } from '@iomodels/contract';
import { proxyHeaderV2 } from '@iomodels/contract/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { conformanceHandlersPath } from './describe-conformance.js';
import { type WatchedChild, watchChild } from './watch-child.js';
import { bytes, recvText, recvUntilClosed } from './wire.js';

/** A server bin under test: its built file and what its listening line names. */
export interface BinUnderTest {
  /** Path of the built bin (`dist/bin.js`). */
  readonly bin: string;
  /** `model/mode` as the listening line prints it, e.g. `blocking/threading`. */
  readonly label: string;
  /** Flags every run of it gets, e.g. `['--mode', 'forking']`. */
  readonly args?: readonly string[];
  /** It takes `--workers N` (the event-loop models): test workers on a socket file too. */
  readonly workers?: boolean;
}

type Run = WatchedChild;

/** Registers the endpoint tests for one bin. */
export function describeBinEndpoints(name: string, target: BinUnderTest): void {
  describe(`${name}: endpoints`, () => {
    const children: ChildProcess[] = [];
    const listeners: net.Server[] = [];
    let dir = '';

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-bin-'));
    });
    afterEach(() => {
      for (const child of children.splice(0)) child.kill('SIGKILL');
      for (const listener of listeners.splice(0)) listener.close();
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    function run(args: readonly string[], options: Parameters<typeof spawn>[2] = {}): Run {
      const child = spawn(process.execPath, [target.bin, ...(target.args ?? []), ...args], {
        stdio: 'pipe',
        ...options,
      });
      return watch(child);
    }

    function watch(child: ChildProcess): Run {
      children.push(child);
      return watchChild(child);
    }

    /** Waits for the listening line; returns what it names. */
    async function listening(r: Run): Promise<string> {
      const line = new RegExp(`^listening on (\\S+) \\(${target.label.replace('/', '\\/')}\\)\\n$`);
      for (;;) {
        const match = line.exec(r.stdout());
        if (match) return match[1] as string;
        const settled = await Promise.race([
          r.exited.then(() => 'exited' as const),
          new Promise((resolve) => setTimeout(resolve, 20)),
        ]);
        if (settled === 'exited') throw new Error(`bin exited: ${r.stderr()}`);
      }
    }

    async function dialogue(where: Parameters<typeof connect>[0]): Promise<void> {
      const client = await connect(where);
      expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
      await client.sendall('0');
      expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
      await client.close();
    }

    it('listens on unix:PATH with its mode, serves, and removes the file on SIGTERM', async () => {
      const file = path.join(dir, 'ivr.sock');
      const r = run(['--listen', `unix:${file}:mode=600`]);
      expect(await listening(r)).toBe(`unix:${file}`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      await dialogue(`unix:${file}`);
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      expect(fs.existsSync(file)).toBe(false);
    });

    it('refuses an existing socket file in one line, exit 2; lockfile=1 replaces a stale one', async () => {
      const file = path.join(dir, 'stale.sock');
      fs.writeFileSync(file, '');
      const refused = run(['--listen', `unix:${file}`]);
      expect(await refused.exited).toBe(2);
      expect(refused.stderr()).toMatch(/already exists .*lockfile=1\)\n$/);
      expect(refused.stderr().trim().split('\n')).toHaveLength(1);
      // A stale socket file (a server that died) with a lock naming no live process.
      fs.rmSync(file);
      const dead = net.createServer();
      await new Promise<void>((resolve) => dead.listen(file, resolve));
      fs.renameSync(file, `${file}.kept`);
      await new Promise((resolve) => dead.close(resolve));
      fs.renameSync(`${file}.kept`, file);
      fs.writeFileSync(`${file}.lock`, '2147483646\n');
      const r = run(['--listen', `unix:${file}:lockfile=1`]);
      expect(await listening(r)).toBe(`unix:${file}`);
      await dialogue({ path: file });
      r.child.kill('SIGINT');
      expect(await r.exited).toBe(0);
      expect(fs.existsSync(`${file}.lock`)).toBe(false);
    });

    it.each([
      [['--listen', 'tcp:0', '--port', '0'], /either --listen or --host\/--port/],
      [['--listen', 'tcp'], /bad endpoint "tcp"/],
      // A bin without UDP cannot listen there; one with UDP refuses --metrics with it.
      [
        ['--listen', 'udp:0', '--metrics', 'tcp:0'],
        /cannot listen on udp|--metrics: not available with a udp: endpoint/,
      ],
    ])('rejects %j in one line, exit 2', async (args, message) => {
      const r = run(args);
      expect(await r.exited).toBe(2);
      expect(r.stderr()).toMatch(message);
      expect(r.stderr().trim().split('\n')).toHaveLength(1);
    });

    /**
     * Starts the bin as systemd would: a listening TCP socket at fd 3,
     * `LISTEN_FDS=1`, and `LISTEN_PID` the service's pid — which the test
     * cannot know before spawning, so a shell sets it to its own pid, then
     * execs node (the pid stays).
     */
    async function socketActivated(endpoint: string): Promise<{ r: Run; port: number }> {
      const listener = net.createServer();
      listeners.push(listener);
      await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
      const { port } = listener.address() as net.AddressInfo;
      const command = [process.execPath, target.bin, ...(target.args ?? []), '--listen', endpoint]
        .map((word) => `'${word.replaceAll("'", `'\\''`)}'`)
        .join(' ');
      // Node has no public way to give a listening socket a child's fd 3 but
      // by its number (spawn's documented integer stdio form); the number
      // itself is only on the internal handle — a test-side read, nothing more.
      const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
      const child = spawn('/bin/sh', ['-c', `LISTEN_PID=$$ exec ${command}`], {
        stdio: ['ignore', 'pipe', 'pipe', fd],
        env: { ...process.env, LISTEN_FDS: '1' },
      });
      expect(SD_LISTEN_FDS_START).toBe(3);
      return { r: watch(child), port };
    }

    it('refuses systemd:domain=UNIX when the socket passed is TCP, in one line, exit 2', async () => {
      const { r } = await socketActivated('systemd:domain=UNIX');
      expect(await r.exited).toBe(2);
      expect(r.stderr()).toMatch(/systemd:domain=UNIX: descriptor 3 is an IPv4 socket\n$/);
    });

    it('starts by systemd socket activation on an inherited descriptor (LISTEN_FDS) and serves a dialogue', async () => {
      const { r, port } = await socketActivated('systemd:domain=INET');
      const [listener] = listeners;
      expect(await listening(r)).toBe(`127.0.0.1:${port}`);
      // The test's own copy goes: only the server accepts from now on.
      listener?.close();
      await dialogue({ port });
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
    });

    it('listens on fd:3, a Unix socket it inherited, and serves a dialogue', async () => {
      const file = path.join(dir, 'inherited.sock');
      const listener = net.createServer();
      listeners.push(listener);
      await new Promise<void>((resolve) => listener.listen(file, resolve));
      // As in the systemd test: the listening socket's number, for spawn's integer stdio form.
      const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
      const r = run(['--listen', 'fd:3'], { stdio: ['ignore', 'pipe', 'pipe', fd] });
      // Node cannot tell an inherited Unix socket's path: the line says unix:, no path.
      expect(await listening(r)).toBe('unix:');
      // The test's copy goes, so only the server accepts; libuv would unlink
      // the socket file with it, so the file steps aside meanwhile.
      fs.renameSync(file, `${file}.kept`);
      await new Promise((resolve) => listener.close(resolve));
      fs.renameSync(`${file}.kept`, file);
      await dialogue({ path: file });
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
    });

    it.runIf(target.workers)(
      "--workers 2 on unix:PATH with the PROXY protocol: the workers serve the header's client, the file goes on SIGTERM",
      async () => {
        const file = path.join(dir, 'workers.sock');
        const handler = `${conformanceHandlersPath}#AddressHandler`;
        const r = run([
          ...['--listen', `unix:${file}`, '--workers', '2'],
          ...['--proxy-protocol', 'v2', '--handler', handler],
        ]);
        const line = `listening on unix:${file} (${target.label}, 2 workers)\n`;
        for (let i = 0; i < 1000 && r.stdout() !== line && r.child.exitCode === null; i++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(r.stdout(), r.stderr()).toBe(line);
        const client = { host: '192.0.2.1', port: 40000, family: 'IPv4' } as const;
        const frontend = { host: '192.0.2.80', port: 8009, family: 'IPv4' } as const;
        for (let i = 0; i < 4; i++) {
          const caller = await connect({ path: file });
          await caller.sendall(proxyHeaderV2({ source: client, destination: frontend }));
          const greeting = 'from 192.0.2.1:40000 via v2 PROXY\n';
          expect(await recvText(caller, greeting)).toBe(greeting);
          await caller.sendall(bytes('hello'));
          expect(new TextDecoder().decode((await recvUntilClosed(caller)).data)).toBe('got hello');
        }
        r.child.kill('SIGTERM');
        expect(await r.exited).toBe(0);
        expect(r.stderr()).toMatch(/closed: 4 served, 0 refused: 4 completed, 0 failed/);
        expect(fs.existsSync(file)).toBe(false);
      },
    );

    it('refuses systemd: when LISTEN_PID is not its own, in one line, exit 2', async () => {
      const r = run(['--listen', 'systemd:'], {
        env: { ...process.env, LISTEN_FDS: '1', LISTEN_PID: '1' },
      });
      expect(await r.exited).toBe(2);
      expect(r.stderr()).toMatch(/LISTEN_PID is 1, not this process/);
    });
  });
}
