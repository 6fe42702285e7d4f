// The Unix-socket column's plumbing, end to end on real servers: every
// server in the catalog that can listen on a socket file is started with
// `--listen unix:PATH` (as the bench starts it), its listening line is read
// back as a path, and a load generator ping-pongs with it over that path,
// every echo verified. No speed is judged.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/load-generator.js';
import { buildNativeLoad } from '../src/native-build.js';
import { NativeLoadGenerator } from '../src/native-load.js';
import { listenFlags, type ServerSpec, serverCatalog } from '../src/server-catalog.js';
import { startServer } from '../src/server-process.js';
import { UnixSocketDir } from '../src/unix-socket-dir.js';

const timing = { warmupMs: 20, windowMs: 100, windows: 1, rampTimeoutMs: 5_000 };
const build = buildNativeLoad();
// The C generator where it builds (what the bench uses), else the Node one.
const generator = build.binary ? new NativeLoadGenerator(build.binary, null) : new LoadGenerator();
const dir = new UnixSocketDir();
afterAll(() => dir.remove());

/** node-net runs from dist (the catalog points next to itself: src/ here, where no .js is). */
const netEcho = fileURLToPath(new URL('../dist/net-echo-server.js', import.meta.url));

function startable(spec: ServerSpec): string[] | null {
  if (!spec.command || spec.tcpOnly) return null;
  if (spec.name === 'node-net')
    return existsSync(netEcho) ? [spec.command[0]!, netEcho, ...spec.command.slice(2)] : null;
  return existsSync(spec.command[1]!) ? spec.command : null;
}

describe('the Unix-socket ping-pong', () => {
  it('says which servers serve TCP only, and why', () => {
    const tcpOnly = serverCatalog().filter((s) => s.tcpOnly);
    expect(tcpOnly.map((s) => s.name).sort()).toEqual(['async/uring', 'uring/echo']);
    for (const spec of tcpOnly) expect(spec.tcpOnly).toMatch(/TCP only|--host\/--port only/);
  });

  it('reaches every built server that can listen on a socket file, every echo verified', async () => {
    const specs = serverCatalog().filter((s) => startable(s));
    // The model bins at least, when the packages are built.
    console.info(`Unix-socket plumbing over: ${specs.map((s) => s.name).join(', ')}`);
    for (const spec of specs) {
      const path = dir.next();
      const server = await startServer([...startable(spec)!, ...listenFlags(path)]);
      try {
        expect(server.target, spec.name).toEqual({ path });
        // One connection: the serial server serves one at a time.
        const result = await generator.pingPong(server.target, { connections: 1, ...timing });
        expect(result, spec.name).toMatchObject({
          opened: 1,
          served: 1,
          errors: 0,
          corruption: null,
        });
        expect(result.windows[0]!.messages, spec.name).toBeGreaterThan(0);
      } finally {
        await server.stop(2_000);
      }
    }
  }, 120_000);
});
