// The contract's idle timeout on the pooled blocking modes, beyond the
// conformance case: a thread or child blocked in read(2) on a silent peer
// cannot be woken by a timer, so the server marks the connection timed out
// and sends FIN; a peer that closes then ends the read, and the handler's
// recv rejects. A peer that ignores the FIN keeps its thread or child, as
// at close().
import { ForkingTCPServer, ThreadingTCPServer } from '@iomodels/blocking';
import type { BaseServer, HandlerSpec, ServerOptions } from '@iomodels/contract';
import { describe, expect, it, vi } from 'vitest';
import { eventually, fixture, type TestClient, useServers } from './helpers.js';

/** Short, to keep the tests quick; the verdict comes within 1.25× of it. */
const IDLE_TIMEOUT = 200;

/** One pooled mode; method syntax lets each mode's own server types in. */
interface Mode {
  name: string;
  servers: {
    start(handler: HandlerSpec, options?: ServerOptions): Promise<BaseServer>;
    connect(server: BaseServer, allowHalfOpen?: boolean): Promise<TestClient>;
  };
  /** What close({ timeout }) reports abandoned for a runner stuck on a peer that ignores FIN. */
  abandoned: number;
}

const modes: Mode[] = [
  { name: 'ThreadingTCPServer', servers: useServers(ThreadingTCPServer), abandoned: 1 },
  // A child, unlike a thread, is killed at close(): nothing is abandoned.
  { name: 'ForkingTCPServer', servers: useServers(ForkingTCPServer), abandoned: 0 },
];

describe.each(modes)('$name idle timeout', ({ servers: { start, connect }, abandoned }) => {
  it('a silent peer that closes on FIN ends the request as timedOut, not failed', async () => {
    const server = await start(fixture('StuckHandler'), { idleTimeout: IDLE_TIMEOUT });
    const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
    const client = await connect(server); // closes when it gets FIN
    await client.waitFor('ready');
    await eventually(() => server.stats().timedOut === 1);
    expect(client.ended).toBe(true);
    expect(server.stats()).toMatchObject({ completed: 0, failed: 0, active: 0 });
    expect(handleError).not.toHaveBeenCalled();
    // The runner is free again.
    const next = await connect(server);
    await next.waitFor('ready');
  });

  it('talk keeps a connection alive past the timeout', async () => {
    // Long against the pauses, so that a slow machine does not matter.
    const idleTimeout = 1_000;
    const server = await start(fixture('SyncEchoHandler'), { idleTimeout });
    const client = await connect(server);
    for (let i = 0; i < 4; i++) {
      client.write(`ping ${i}\n`);
      await client.waitFor(`ping ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, idleTimeout / 2));
    }
    expect(client.ended).toBe(false);
    expect(server.stats().timedOut).toBe(0);
  });

  it('a peer that ignores the FIN keeps its runner; close() reports it as ever', async () => {
    const server = await start(fixture('StuckHandler'), { idleTimeout: IDLE_TIMEOUT });
    const silent = await connect(server, true); // keeps its side open
    await silent.waitFor('ready');
    await eventually(() => silent.ended); // the idle verdict's FIN
    expect(server.stats()).toMatchObject({ active: 1, timedOut: 0 });
    const report = await server.close({ timeout: 50 });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 1, abandoned });
    silent.socket.end(); // only the peer can wake a thread
    await eventually(() => silent.closed);
  });
});
