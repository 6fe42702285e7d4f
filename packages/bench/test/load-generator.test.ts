// The load generator against small in-process servers: correct echoes in any
// chunking pass; a corrupting, mixing or chattering server is caught.
import { afterEach, describe, expect, it } from 'vitest';
import { LoadGenerator } from '../src/load-generator.js';
import { closeServers, corruptAt, dribble, echo, serve } from './echo-servers.js';
import { quietRampCases } from './quiet-ramp.js';
import { unixSocketCases } from './unix-socket-cases.js';

const timing = { warmupMs: 20, windowMs: 200, windows: 2, rampTimeoutMs: 3_000 };

afterEach(closeServers);

describe('LoadGenerator ping-pong', () => {
  it('verifies every echo from a plain echo server', async () => {
    const target = await serve(echo);
    const result = await new LoadGenerator().pingPong(target, { connections: 10, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.opened).toBe(10);
    expect(result.served).toBe(10);
    expect(result.errors).toBe(0);
    expect(result.rampMs).toBeGreaterThan(0);
    expect(result.windows).toHaveLength(2);
    for (const w of result.windows) {
      expect(w.messages).toBeGreaterThan(0);
      expect(w.bytes).toBe(w.messages * 64);
      expect(w.histogram.reduce((sum, [, n]) => sum + n, 0)).toBe(w.messages);
    }
  });

  it('reassembles replies that come back in many small pieces (partial reads)', async () => {
    const target = await serve(dribble);
    const result = await new LoadGenerator().pingPong(target, {
      connections: 5,
      size: 200,
      ...timing,
    });
    expect(result.corruption).toBeNull();
    expect(result.windows.reduce((sum, w) => sum + w.messages, 0)).toBeGreaterThan(0);
  });

  it('catches a single flipped byte', async () => {
    const target = await serve(corruptAt(64 * 5 + 17, (b) => b ^ 0x01));
    const result = await new LoadGenerator().pingPong(target, { connections: 1, ...timing });
    expect(result.corruption).toMatch(/differs from message 5/);
  });

  it('catches replies sent to the wrong connection', async () => {
    // Every chunk is echoed to the other connection of the pair.
    const target = await serve((socket, all) => {
      socket.on('data', (data: Buffer) => {
        const other = all.find((s) => s !== socket && !s.destroyed);
        (other ?? socket).write(data);
      });
    });
    const result = await new LoadGenerator().pingPong(target, { connections: 2, ...timing });
    expect(result.corruption).not.toBeNull();
  });

  it('catches a server that answers with more bytes than it was sent', async () => {
    const target = await serve((socket) =>
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([d, d]))),
    );
    const result = await new LoadGenerator().pingPong(target, { connections: 1, ...timing });
    expect(result.corruption).toMatch(/bytes back|unsolicited/);
  });

  quietRampCases(() => (target, options) => new LoadGenerator().pingPong(target, options));

  it('reports connections a server leaves waiting as not served', async () => {
    // Serves only the first connection, like an iterative server.
    const target = await serve((socket, all) => {
      if (all.length === 1) echo(socket);
    });
    const result = await new LoadGenerator().pingPong(target, { connections: 3, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.opened).toBe(3);
    expect(result.served).toBe(1);
  });
});

describe('LoadGenerator bulk', () => {
  it('verifies a 16 KiB stream re-chunked into tiny writes (partial reads and writes)', async () => {
    const target = await serve(dribble);
    const result = await new LoadGenerator().bulk(target, {
      connections: 2,
      window: 64 * 1024,
      ...timing,
    });
    expect(result.corruption).toBeNull();
    expect(result.windows.reduce((sum, w) => sum + w.bytes, 0)).toBeGreaterThan(0);
  });

  it('verifies a plain echo at full speed', async () => {
    const target = await serve(echo);
    const result = await new LoadGenerator().bulk(target, { connections: 4, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.served).toBe(4);
    expect(result.windows[1]!.bytes).toBeGreaterThan(16 * 1024);
  });

  it('catches one flipped byte deep in the stream', async () => {
    const target = await serve(corruptAt(300_000, (b) => (b + 1) & 0xff));
    const result = await new LoadGenerator().bulk(target, { connections: 1, ...timing });
    expect(result.corruption).toMatch(/differs within bytes/);
  });
});

describe('LoadGenerator connections', () => {
  it('counts connect → exchange → close cycles', async () => {
    const target = await serve(echo);
    const result = await new LoadGenerator().connectionRate(target, { concurrency: 3, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.rampMs).toBeNull();
    expect(result.windows.reduce((sum, w) => sum + w.cycles, 0)).toBeGreaterThan(0);
  });

  it('holds idle connections open until closeIdle', async () => {
    let open = 0;
    const target = await serve((socket) => {
      open++;
      socket.on('close', () => open--);
      echo(socket);
    });
    const generator = new LoadGenerator();
    const idle = await generator.openIdle(target, { connections: 50, rampTimeoutMs: 3_000 });
    expect(idle).toMatchObject({ connections: 50, opened: 50, served: 50, corruption: null });
    expect(open).toBe(50);
    await generator.closeIdle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(open).toBe(0);
  });
});

unixSocketCases('LoadGenerator', () => new LoadGenerator());
