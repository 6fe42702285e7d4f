// ForkingTCPServer beyond the conformance suite: crashes cost one
// connection, stuck children are killed at close, no child outlives its server.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { ForkingTCPServer } from '@iomodels/blocking';
import { IVR_GREETING } from '@iomodels/contract';
import { describe, expect, it, vi } from 'vitest';
import { echoOnceEach, eventually, fixture, isRunning, TestClient, useServers } from './helpers.js';

const { start, connect, track } = useServers(ForkingTCPServer);

/** A half-open client only notices a reset when it writes: poke it until it is closed. */
function gone(client: TestClient): boolean {
  if (!client.closed && !client.socket.destroyed) client.socket.write('anyone there?');
  return client.closed;
}

describe('ForkingTCPServer', () => {
  it('runs a portable handler and a synchronous (BlockingConnection) one in children', async () => {
    const ivr = await start('ivr');
    const caller = await connect(ivr);
    await caller.waitFor(IVR_GREETING);
    const sync = await start(fixture('SyncEchoHandler'));
    const client = await connect(sync);
    client.write('blocking');
    await client.waitFor('blocking');
    client.socket.end();
    await eventually(() => client.ended && sync.stats().completed === 1);
  });

  it("starts children with childExecArgv, never with the server's own Node options", async () => {
    const plain = await connect(await start(fixture('ExecArgvHandler')));
    expect(JSON.parse(await plain.waitFor('\n'))).toEqual([]);
    const server = await start(fixture('ExecArgvHandler'), {
      childExecArgv: ['--max-old-space-size=256'],
    });
    const tuned = await connect(server);
    expect(JSON.parse(await tuned.waitFor('\n'))).toEqual(['--max-old-space-size=256']);
  });

  it('a handler that crashes its process costs that connection only; the pool replaces the child', async () => {
    const server = await start(fixture('CrashingHandler'), { spareChildren: 2 });
    const handleError = vi.spyOn(server, 'handleError');
    const survivor = await connect(server);
    const victim = await connect(server);
    const survivorPid = Number(/pid=(\d+)/.exec(await survivor.waitFor('\n'))?.[1]);
    const victimPid = Number(/pid=(\d+)/.exec(await victim.waitFor('\n'))?.[1]);
    expect(victimPid).not.toBe(survivorPid);
    victim.write('crash');
    await eventually(() => victim.closed);
    await eventually(() => server.stats().failed === 1);
    expect(handleError).toHaveBeenCalledTimes(1);
    expect(String(handleError.mock.calls[0]![0])).toMatch(/died \(code 7\)/);
    // the other connection did not notice
    survivor.write('still here');
    await survivor.waitFor('still here');
    // and a new connection is served by a live child
    const next = await connect(server);
    await next.waitFor('pid=');
    expect(server.poolStats().pids).not.toContain(victimPid);
    expect(isRunning(victimPid)).toBe(false);
  });

  it('sends a handler error from the child to handleError and counts it failed', async () => {
    const server = await start(fixture('ThrowingHandler'));
    const handleError = vi.spyOn(server, 'handleError');
    const client = await connect(server);
    const clientPort = client.socket.localPort;
    await client.waitFor('hello');
    await eventually(() => server.stats().failed === 1);
    const [error, address] = handleError.mock.calls[0]!;
    expect((error as Error).message).toBe('boom from the handler');
    expect(address).toEqual(expect.objectContaining({ port: clientPort }));
  });

  it('reuses warm children: many connections, few processes', async () => {
    const server = await start('echo', { spareChildren: 1 });
    for (let i = 0; i < 6; i++) {
      const client = await connect(server);
      client.write(`n${i}`);
      await client.waitFor(`n${i}`);
      client.socket.end();
      await eventually(() => client.closed);
    }
    await eventually(() => server.stats().completed === 6);
    expect(server.poolStats().children).toBeLessThanOrEqual(3);
  });

  it("relays a child's stdout and stderr to the server's own (children never share the server's descriptors)", async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const stderr = vi.spyOn(process.stderr, 'write');
    try {
      const server = await start(fixture('TalkativeHandler'));
      const client = await connect(server);
      await client.waitFor('logged');
      const wrote = (spy: typeof stdout, text: string) =>
        spy.mock.calls.some(([chunk]) => String(chunk).includes(text));
      await eventually(() => wrote(stdout, 'stdout of ') && wrote(stderr, 'stderr of '));
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
    }
  });

  it('shrinks back to spareChildren once a burst has left; the others exit (childIdleTimeout)', async () => {
    const server = await start('echo', { spareChildren: 1, childIdleTimeout: 50 });
    const burst = await Promise.all(Array.from({ length: 4 }, () => connect(server)));
    await Promise.all(
      burst.map((client, i) => {
        client.write(`b${i}`);
        return client.waitFor(`b${i}`);
      }),
    );
    const pids = server.poolStats().pids;
    expect(pids.length).toBeGreaterThanOrEqual(4);
    for (const client of burst) client.socket.end();
    await eventually(() => server.stats().completed === 4);
    await eventually(() => server.poolStats().children === 1);
    const [kept] = server.poolStats().pids;
    await eventually(() => pids.filter((pid) => pid !== kept).every((pid) => !isRunning(pid)));
    const next = await connect(server);
    next.write('after');
    await next.waitFor('after');
  });

  it('serves 60 clients connecting at once, through a small pool', async () => {
    const server = await start('echo', { maxChildren: 4 });
    const burst = await Promise.all(Array.from({ length: 60 }, () => connect(server)));
    await echoOnceEach(burst);
    await eventually(() => server.stats().completed === 60);
    expect(server.poolStats()).toEqual(expect.objectContaining({ busy: 0, queued: 0 }));
  });

  it('serves a new client after 50 idle connections closed', async () => {
    const server = await start('echo', { maxChildren: 6 });
    const idle = await Promise.all(Array.from({ length: 50 }, () => connect(server)));
    await eventually(() => server.poolStats().busy === 6 && server.poolStats().queued === 44);
    for (const client of idle) client.socket.end();
    await eventually(() => idle.every((client) => client.closed));
    const next = await connect(server);
    next.write('after');
    await next.waitFor('after');
    await eventually(() => server.poolStats().children >= 1 && server.stats().completed >= 50);
  });

  it('close({ timeout }) kills a child stuck in read(2): nothing is abandoned', async () => {
    const server = await start(fixture('StuckHandler'));
    const silent = await connect(server, true); // ignores FIN
    const pid = Number(/pid=(\d+)/.exec(await silent.waitFor('\n'))?.[1]);
    const report = await server.close({ timeout: 50 });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 1, abandoned: 0 });
    await eventually(() => gone(silent));
    expect(isRunning(pid)).toBe(false);
    expect(server.poolStats().children).toBe(0);
  });

  it.runIf(process.platform === 'linux')(
    'no child outlives a server process killed by SIGKILL, even one stuck in read(2)',
    async () => {
      const script = `
        const { ForkingTCPServer } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
        const server = new ForkingTCPServer(${JSON.stringify(fixture('StuckHandler'))}, { host: '127.0.0.1', port: 0 });
        const address = await server.listen();
        console.log(address.port);`;
      const parent = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
      const silent = track(await TestClient.connect(Number(String(line).trim()), true));
      const pid = Number(/pid=(\d+)/.exec(await silent.waitFor('\n'))?.[1]);
      expect(isRunning(pid)).toBe(true);
      parent.kill('SIGKILL');
      await once(parent, 'exit');
      await eventually(() => !isRunning(pid));
      await eventually(() => gone(silent));
    },
  );
});
