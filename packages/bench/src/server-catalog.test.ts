// Every server the bench starts gets the same listen queue, --backlog 4096:
// on the command line the catalog builds, and (where `ss` can show it) on
// the listening socket itself.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LISTEN_BACKLOG, selectServers, serverCatalog } from './server-catalog.js';
import { startServer } from './server-process.js';

const fake = mkdtempSync(join(os.tmpdir(), 'iomodels-catalog-'));
afterAll(() => rmSync(fake, { recursive: true, force: true }));

/** Index of `--backlog` followed by the bench's value in `command`, or -1. */
function backlogFlag(command: string[]): number {
  return command.findIndex(
    (arg, i) => arg === '--backlog' && command[i + 1] === String(LISTEN_BACKLOG),
  );
}

describe('serverCatalog', () => {
  it('passes --backlog 4096 to every server it can start', () => {
    for (const model of ['blocking', 'nonblocking', 'multiplex', 'async']) {
      mkdirSync(join(fake, model, 'dist'), { recursive: true });
      writeFileSync(join(fake, model, 'dist', 'bin.js'), '');
    }
    const specs = serverCatalog({ packagesDir: `${fake}/` });
    const runnable = specs.filter((s) => s.command);
    // node-net and the seven model modes at least; Python peers when python3 is here.
    expect(runnable.length).toBeGreaterThanOrEqual(8);
    for (const spec of runnable) expect(backlogFlag(spec.command!), spec.name).toBeGreaterThan(0);
  });

  it('measures the recv_into handler variants only when they are named', () => {
    const specs = serverCatalog({ packagesDir: `${fake}/` });
    const variants = specs.filter((s) => s.variant).map((s) => s.name);
    expect(variants).toEqual(
      expect.arrayContaining(['blocking/threading-recv-into', 'blocking/forking-recv-into']),
    );
    const threading = specs.find((s) => s.name === 'blocking/threading-recv-into')!;
    expect(threading.command).toContain('--mode');
    expect(threading.command!.find((a) => a.endsWith('#RecvIntoEchoHandler'))).toMatch(
      /handlers\/recv-into-echo\.mjs#/,
    );
    expect(selectServers(specs, null).some((s) => s.variant)).toBe(false);
    expect(selectServers(specs, ['recv-into']).map((s) => s.name)).toEqual(
      expect.arrayContaining(['node-net', 'blocking/threading-recv-into']),
    );
    expect(selectServers(specs, ['recv-into']).some((s) => s.name === 'blocking/threading')).toBe(
      false,
    );
  });

  // The kernel reports a listening socket's backlog as its Send-Q; it caps it at somaxconn.
  const somaxconn = (() => {
    try {
      return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'));
    } catch {
      return null;
    }
  })();
  const hasSs = spawnSync('ss', ['-V'], { stdio: 'ignore' }).status === 0;

  it.runIf(hasSs && somaxconn !== null)(
    'listens with that backlog (every built model bin and Python peer)',
    async () => {
      const specs = serverCatalog().filter(
        // node-net runs from dist; from the sources the script is not there.
        (s) => s.command && existsSync(s.command[1]!),
      );
      const expected = Math.min(LISTEN_BACKLOG, somaxconn!);
      for (const spec of specs) {
        const server = await startServer([...spec.command!, '--host', '127.0.0.1', '--port', '0']);
        try {
          const ss = spawnSync('ss', ['-Hltn', `sport = :${server.port}`], { encoding: 'utf8' });
          // State Recv-Q Send-Q Local Peer
          const sendQ = Number(ss.stdout.trim().split(/\s+/)[2]);
          expect(sendQ, spec.name).toBe(expected);
        } finally {
          await server.stop(2_000);
        }
      }
    },
    60_000,
  );
});
