// A real HAProxy in front of two iomodels servers (this package's reactor and
// the blocking package's threading bin), with PROXY protocol v2 and health
// checks, configured by docs/haproxy/iomodels.cfg — the file docs/deploy.md
// shows. Twice: backends on TCP ports, then on Unix socket files (HAProxy's
// `unix@` servers), the reactor there with `--workers 2`. Skipped, with the
// reason, where `haproxy` is not on PATH.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '@iomodels/client';
import { conformanceHandlersPath } from '@iomodels/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const CONFIG = path('../../../docs/haproxy/iomodels.cfg');
const BINS = {
  reactor: [path('../dist/bin.js')],
  threading: [path('../../blocking/dist/bin.js'), '--mode', 'threading'],
};

function haproxyPath(): string | undefined {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}
const haproxy = haproxyPath();
const missingBin = Object.values(BINS).find(([bin]) => !existsSync(bin!))?.[0];
const skipReason = !haproxy
  ? 'haproxy is not on PATH (apt-get install -y haproxy)'
  : missingBin && `${missingBin} is not built`;

const children = new Set<ChildProcess>();

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Started {
  const child = spawn(command, args, { env: { ...process.env, ...env } });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (data) => (output += data));
  child.stderr?.on('data', (data) => (output += data));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A backend bin behind the proxy, on loopback port 0 or on the socket file
 * `unixPath`; resolves with HAProxy's name for its address once it listens.
 */
async function startBackend(
  which: keyof typeof BINS,
  unixPath?: string,
  extra: string[] = [],
): Promise<Started & { address: string }> {
  const [bin, ...mode] = BINS[which];
  // Over a Unix socket the allow-list has no meaning (the file's mode guards it).
  const where = unixPath
    ? ['--listen', `unix:${unixPath}`]
    : ['--port', '0', '--proxy-allow', '127.0.0.1'];
  const started = run(process.execPath, [
    bin!,
    ...mode,
    ...where,
    ...extra,
    '--grace',
    '20',
    '--handler',
    `${conformanceHandlersPath}#AddressHandler`,
    '--proxy-protocol',
    'v2',
  ]);
  const address = await until(`${which} to listen`, () => {
    const match = /listening on (127\.0\.0\.1:\d+|unix:\S+)/.exec(started.output());
    return match ? match[1]!.replace(/^unix:/, 'unix@') : undefined;
  });
  return { ...started, address };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer().once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

for (const transport of ['tcp', 'unix'] as const) {
  const over = transport === 'unix' ? ' on Unix sockets, the reactor with --workers 2' : '';
  describe.skipIf(skipReason)(
    `HAProxy in front of two servers${over}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      let front = 0;
      let reactor: Started & { address: string };
      let threading: Started & { address: string };
      let socketDir: string | undefined;

      /** One client through HAProxy: the handler names the client's own address. */
      async function dialogue(message: string, beforeReply?: () => Promise<void>) {
        const client = await connect({ host: '127.0.0.1', port: front, timeout: 20_000 });
        try {
          const greeting = new TextDecoder().decode(await client.recv());
          expect(greeting).toBe(`from 127.0.0.1:${client.local.port} via v2 PROXY\n`);
          await beforeReply?.();
          await client.sendall(message);
          expect(new TextDecoder().decode(await client.recv())).toBe(`got ${message}`);
        } finally {
          await client.close();
        }
      }

      beforeAll(async () => {
        if (transport === 'unix')
          socketDir = mkdtempSync(nodePath.join(os.tmpdir(), 'iomodels-haproxy-'));
        const file = (name: string) => socketDir && nodePath.join(socketDir, name);
        [reactor, threading, front] = await Promise.all([
          startBackend('reactor', file('reactor.sock'), socketDir ? ['--workers', '2'] : []),
          startBackend('threading', file('threading.sock')),
          freePort(),
        ]);
        const proxy = run(haproxy!, ['-db', '-f', CONFIG], {
          IOMODELS_BIND: `127.0.0.1:${front}`,
          IOMODELS_BACKEND_A: reactor.address,
          IOMODELS_BACKEND_B: threading.address,
        });
        // Up once a dialogue goes through; until then HAProxy may still be binding.
        await until('HAProxy to relay', async () => {
          if (proxy.child.exitCode !== null) throw new Error(`haproxy exited: ${proxy.output()}`);
          return dialogue('warm-up').then(
            () => true,
            () => undefined,
          );
        });
      }, 60_000);

      afterAll(async () => {
        for (const child of children) child.kill('SIGKILL');
        if (socketDir) rmSync(socketDir, { recursive: true, force: true });
      });

      it('relays dialogues to both servers, each handler seeing the real client', async () => {
        for (let i = 0; i < 6; i++) await dialogue(`hello ${i}`);
      });

      it('sends new clients to the other server once one stops', async () => {
        reactor.child.kill('SIGTERM');
        expect(await reactor.exited).toBe(0);
        // It served some of the dialogues before (health checks are LOCAL connections, also served).
        expect(reactor.output()).toMatch(/closed: [1-9]\d* served/);
        // Health checks (LOCAL headers, or resets before one) are never refused headers.
        expect(reactor.output()).not.toContain('PROXY header refused');
        for (let i = 0; i < 4; i++) await dialogue(`after stop ${i}`);
      });

      it('lets a dialogue in flight finish when its server is stopped with SIGTERM', async () => {
        await dialogue('in flight', async () => {
          threading.child.kill('SIGTERM');
          // The server stops accepting, but this connection keeps its handler.
          await new Promise((resolve) => setTimeout(resolve, 200));
        });
        expect(await threading.exited).toBe(0);
      });
    },
  );
}
