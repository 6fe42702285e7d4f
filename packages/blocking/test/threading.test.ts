// ThreadingTCPServer beyond the conformance suite: real blocking reads in
// worker threads, the pool, handler errors, and a stuck handler at close.
import fs from 'node:fs';
import { ThreadingTCPServer } from '@iomodels/blocking';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { describe, expect, it, vi } from 'vitest';
import { echoOnceEach, eventually, fixture, useServers } from './helpers.js';

const { start, connect } = useServers(ThreadingTCPServer);

/** The system call a thread of this process is in, as /proc shows it (Linux). */
function threadsInRead(fd: number): string[] {
  const readSyscall = process.arch === 'x64' ? 0 : process.arch === 'arm64' ? 63 : -1;
  const found: string[] = [];
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const [nr, arg0] = fs.readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').split(' ');
      if (Number(nr) === readSyscall && Number(arg0) === fd) found.push(tid);
    } catch {
      // the thread ended meanwhile
    }
  }
  return found;
}

describe('ThreadingTCPServer', () => {
  it('runs a portable async handler (the built-in ivr) in a thread', async () => {
    const server = await start('ivr');
    const client = await connect(server);
    await client.waitFor(IVR_GREETING);
    client.write('0');
    await client.waitFor(IVR_OPERATOR);
    client.write('exit');
    await eventually(() => client.ended);
    await eventually(() => server.stats().completed === 1);
  });

  it("serves through Node's fs binding where the native read/write is off (IOMODELS_BLOCKING_NATIVE=0)", async () => {
    // Threads copy the environment when they start: these read and write through @iomodels/fd.
    vi.stubEnv('IOMODELS_BLOCKING_NATIVE', '0');
    try {
      const server = await start('echo', { spareThreads: 0 });
      const client = await connect(server);
      client.write('through fs');
      await client.waitFor('through fs');
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('runs a handler typed with BlockingConnection (synchronous recv/sendall)', async () => {
    const server = await start(fixture('SyncEchoHandler'));
    const client = await connect(server);
    client.write('one');
    await client.waitFor('one');
    client.write('two');
    await client.waitFor('onetwo');
    client.socket.end();
    await eventually(() => client.ended && server.stats().completed === 1);
  });

  it("recvInto reads into the handler's own buffer, and refuses more than it holds", async () => {
    const server = await start(fixture('RecvIntoEchoHandler'));
    const handleError = vi.spyOn(server, 'handleError');
    const client = await connect(server);
    client.write('a message longer than four bytes');
    await client.waitFor('a message longer than four bytes');
    client.write('!');
    await eventually(() => client.closed && server.stats().failed === 1);
    expect(String(handleError.mock.calls[0]![0])).toMatch(/RangeError: nbytes must be/);
  });

  it.runIf(process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch))(
    'the worker waits in read(2) in the kernel while the main event loop keeps serving timers',
    async () => {
      const server = await start(fixture('ReportThenReadHandler'));
      const client = await connect(server);
      const line = await client.waitFor('\n');
      const fd = Number(/fd=(\d+)/.exec(line)?.[1]);
      const thread = Number(/thread=(\d+)/.exec(line)?.[1]);
      expect(thread).toBeGreaterThan(0); // not the main thread
      await eventually(() => threadsInRead(fd).length === 1);
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      await eventually(() => ticks >= 20);
      clearInterval(timer);
      expect(threadsInRead(fd)).toHaveLength(1); // still in read(2) after all those timers
      client.write('ping');
      await client.waitFor('got:ping');
    },
  );

  it('sends a handler error to handleError with the client address and counts it failed', async () => {
    const server = await start(fixture('ThrowingHandler'));
    const handleError = vi.spyOn(server, 'handleError');
    const client = await connect(server);
    const clientPort = client.socket.localPort;
    await client.waitFor('hello');
    await eventually(() => client.closed && server.stats().failed === 1);
    expect(handleError).toHaveBeenCalledTimes(1);
    const [error, address] = handleError.mock.calls[0]!;
    expect((error as Error).message).toBe('boom from the handler');
    expect(address).toEqual(expect.objectContaining({ host: '127.0.0.1', port: clientPort }));
  });

  it("a handler importing '@iomodels/contract' recognises its connection's errors", async () => {
    const server = await start(fixture('ErrorIdentityHandler'));
    const handleError = vi.spyOn(server, 'handleError');
    const client = await connect(server);
    await client.waitFor('ready');
    await eventually(() => client.ended);
    client.socket.end();
    await eventually(() => server.stats().completed + server.stats().failed === 1);
    expect(handleError).not.toHaveBeenCalled();
    expect(server.stats().completed).toBe(1);
  });

  it('the thread entry is one file importing only node built-ins and @iomodels/contract/core', () => {
    // every further module costs each thread CPU at its start (see tsup.config.ts)
    const entry = fs.readFileSync(new URL('../dist/threading-worker.js', import.meta.url), 'utf8');
    const imported = [...entry.matchAll(/^import\b[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imported.length).toBeGreaterThan(0);
    for (const specifier of imported) {
      expect(specifier).toMatch(/^(node:)?[a-z_]+$|^@iomodels\/contract\/core$/);
    }
  });

  it('serves many connections without piling listeners on the shared shutdown signal', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const server = await start('echo', { spareThreads: 1 });
      const clients = await Promise.all(Array.from({ length: 12 }, () => connect(server)));
      await echoOnceEach(clients);
      await eventually(() => server.stats().completed === 12);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.map((warning) => warning.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('reuses idle threads for one connection after another', async () => {
    const server = await start('echo', { spareThreads: 1 });
    for (let i = 0; i < 5; i++) {
      const client = await connect(server);
      client.write(`n${i}`);
      await client.waitFor(`n${i}`);
      client.socket.end();
      await eventually(() => client.closed);
    }
    await eventually(() => server.stats().completed === 5);
    expect(server.poolStats().threads).toBeLessThanOrEqual(2);
  });

  it('keeps spareThreads idle threads started ahead of demand', async () => {
    const server = await start(fixture('StuckHandler'), { spareThreads: 2 });
    await eventually(() => server.poolStats().threads === 2);
    const client = await connect(server);
    await client.waitFor('ready');
    // one thread serves, two wait idle for the next connections
    await eventually(() => server.poolStats().threads === 3);
    expect(server.poolStats()).toEqual({ threads: 3, busy: 1, queued: 0 });
  });

  it('shrinks back to spareThreads once a burst has left (threadIdleTimeout)', async () => {
    const server = await start('echo', { spareThreads: 1, threadIdleTimeout: 50 });
    const burst = await Promise.all(Array.from({ length: 5 }, () => connect(server)));
    // Every client is served at once, each by a thread of its own.
    await Promise.all(
      burst.map((client, i) => {
        client.write(`b${i}`);
        return client.waitFor(`b${i}`);
      }),
    );
    expect(server.poolStats().busy).toBe(5);
    for (const client of burst) client.socket.end();
    await eventually(() => server.stats().completed === 5);
    await eventually(() => server.poolStats().threads === 1);
    const next = await connect(server);
    next.write('after');
    await next.waitFor('after');
  });

  it('refuses a threadIdleTimeout that is not a whole number of ms >= 0', () => {
    for (const threadIdleTimeout of [-1, 1.5, Number.NaN]) {
      expect(() => new ThreadingTCPServer('echo', { threadIdleTimeout })).toThrow(
        /threadIdleTimeout must be an integer >= 0/,
      );
    }
    expect(new ThreadingTCPServer('echo', {}).threadIdleTimeout).toBe(30_000);
  });

  it('serves 200 clients connecting at once, through a small pool', async () => {
    const server = await start('echo', { maxThreads: 6 });
    const burst = await Promise.all(Array.from({ length: 200 }, () => connect(server)));
    await echoOnceEach(burst);
    await eventually(() => server.stats().completed === 200);
    expect(server.poolStats()).toEqual({ threads: 6, busy: 0, queued: 0 });
  });

  it('serves a new client right after a burst of clients that left unserved', async () => {
    const server = await start(fixture('StuckHandler'), { maxThreads: 2 });
    const holders = [await connect(server), await connect(server)];
    await Promise.all(holders.map((client) => client.waitFor('ready')));
    const burst = await Promise.all(Array.from({ length: 100 }, () => connect(server)));
    await eventually(() => server.poolStats().queued === 100);
    for (const client of burst) client.socket.destroy();
    for (const client of holders) client.socket.end();
    const next = await connect(server);
    await next.waitFor('ready');
    await eventually(() => server.stats().completed + server.stats().failed >= 102);
  });

  it('grows to maxThreads, queues beyond, refuses beyond the queue', async () => {
    const server = await start(fixture('StuckHandler'), {
      maxThreads: 2,
      maxQueuedConnections: 1,
    });
    const first = await connect(server);
    const second = await connect(server);
    await first.waitFor('ready');
    await second.waitFor('ready');
    expect(server.poolStats()).toEqual({ threads: 2, busy: 2, queued: 0 });
    const third = await connect(server);
    await eventually(() => server.poolStats().queued === 1);
    const fourth = await connect(server);
    await eventually(() => fourth.closed);
    expect(server.stats().refused).toBe(1);
    expect(third.text).toBe('');
    first.socket.end(); // its thread is freed and takes the queued connection
    await third.waitFor('ready');
    expect(server.poolStats().threads).toBe(2);
  });

  it('close({ timeout }) resolves with a thread stuck in read(2) and reports it abandoned', async () => {
    const server = await start(fixture('StuckHandler'));
    // A peer that ignores our FIN: it keeps its side open and says nothing.
    const silent = await connect(server, true);
    await silent.waitFor('ready');
    const report = await server.close({ timeout: 50 });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 1, abandoned: 1 });
    expect(silent.ended).toBe(true); // it got the FIN
    // Only the peer can wake the thread: once it closes, the thread ends.
    silent.socket.end();
    await eventually(() => silent.closed);
  });

  it('close() sends FIN to a waiting handler; a well-behaved peer lets it finish', async () => {
    const server = await start(fixture('StuckHandler'));
    const client = await connect(server); // closes when it gets FIN
    await client.waitFor('ready');
    const report = await server.close({ timeout: 50 });
    expect(report).toEqual({ completed: 0, interrupted: 1, aborted: 0, abandoned: 0 });
  });

  it('refuses a handler class: it cannot cross into a thread', () => {
    class Local {
      handle() {}
    }
    expect(() => new ThreadingTCPServer(Local as never)).toThrow(/module: import\.meta\.url/);
  });
});
