// The C load generator against real in-process Node servers on 127.0.0.1:
// a plain echo is counted and verified, a corrupting or over-answering
// server is reported, replies in tiny pieces are reassembled. Skipped, with
// the reason printed, only where no C compiler can build it.
import { afterEach, describe, expect, it } from 'vitest';
import { closeServers, corruptAt, dribble, echo, serve } from '../test/echo-servers.js';
import { quietRampCases } from '../test/quiet-ramp.js';
import { unixSocketCases } from '../test/unix-socket-cases.js';
import { LatencyHistogram } from './latency-histogram.js';
import { buildNativeLoad } from './native-build.js';
import { NativeLoadGenerator } from './native-load.js';

const timing = { warmupMs: 20, windowMs: 200, windows: 2, rampTimeoutMs: 3_000 };
const build = buildNativeLoad();
if (build.binary === null) console.warn(`C load generator tests skipped: ${build.reason}`);
const generator = () => new NativeLoadGenerator(build.binary!, null);

afterEach(closeServers);

describe.skipIf(!build.binary)('C load generator ping-pong', () => {
  it('counts and verifies every echo from a Node echo server', async () => {
    const target = await serve(echo);
    const phases: string[] = [];
    const result = await generator().pingPong(target, {
      connections: 10,
      ...timing,
      onMeasure: (phase) => phases.push(phase),
    });
    expect(phases).toEqual(['start', 'end']);
    expect(result).toMatchObject({
      connections: 10,
      opened: 10,
      served: 10,
      errors: 0,
      firstError: null,
      corruption: null,
    });
    expect(result.rampMs).toBeGreaterThan(0);
    expect(result.windows).toHaveLength(2);
    for (const w of result.windows) {
      expect(w.messages).toBeGreaterThan(0);
      expect(w.bytes).toBe(w.messages * 64);
      expect(w.cycles).toBe(0);
      // The histogram is LatencyHistogram's: it ingests it whole.
      expect(LatencyHistogram.from(w.histogram).count).toBe(w.messages);
    }
    expect(result.loadCpuPercent).toBeGreaterThan(0);
  });

  it('reassembles replies that come back in many small pieces (partial reads)', async () => {
    const target = await serve(dribble);
    const result = await generator().pingPong(target, { connections: 5, size: 200, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.windows.reduce((sum, w) => sum + w.messages, 0)).toBeGreaterThan(0);
  });

  it('sends 64 KiB messages in pieces through a small send buffer (partial writes)', async () => {
    // Echoes each chunk back in random pieces at once: the client meets
    // partial writes (4 KiB send buffer) and partial reads, without the
    // server's own pace deciding whether a whole message fits in a window.
    const target = await serve((socket) =>
      socket.on('data', (data: Buffer) => {
        for (let at = 0; at < data.length; ) {
          const n = 1 + Math.floor(Math.random() * 1500);
          socket.write(data.subarray(at, at + n));
          at += n;
        }
      }),
    );
    const result = await new NativeLoadGenerator(build.binary!, null, 4096).pingPong(target, {
      connections: 2,
      size: 64 * 1024,
      ...timing,
    });
    expect(result.corruption).toBeNull();
    expect(result.errors).toBe(0);
    expect(result.opened).toBe(2);
    // A 64 KiB round trip takes milliseconds here; the windows last 400 ms.
    expect(result.windows.reduce((sum, w) => sum + w.messages, 0)).toBeGreaterThan(0);
  });

  it('reports a single flipped byte as corruption, naming the message', async () => {
    const target = await serve(corruptAt(64 * 5 + 17, (b) => b ^ 0x01));
    const result = await generator().pingPong(target, { connections: 1, ...timing });
    expect(result.corruption).toMatch(/^connection 0: reply differs from message 5 at bytes/);
  });

  it('reports a reply longer than the message', async () => {
    const target = await serve((socket) =>
      socket.on('data', (d: Buffer) => socket.write(Buffer.concat([d, d]))),
    );
    const result = await generator().pingPong(target, { connections: 1, ...timing });
    expect(result.corruption).toMatch(/bytes back|unsolicited/);
  });

  it('reports replies sent to the wrong connection', async () => {
    const target = await serve((socket, all) => {
      socket.on('data', (data: Buffer) => {
        const other = all.find((s) => s !== socket && !s.destroyed);
        (other ?? socket).write(data);
      });
    });
    const result = await generator().pingPong(target, { connections: 2, ...timing });
    expect(result.corruption).not.toBeNull();
  });

  quietRampCases(() => (target, options) => generator().pingPong(target, options));

  it('reports connections a server leaves waiting as not served', async () => {
    const target = await serve((socket, all) => {
      if (all.length === 1) echo(socket);
    });
    const result = await generator().pingPong(target, { connections: 3, ...timing });
    expect(result).toMatchObject({ opened: 3, served: 1, corruption: null });
  });

  it('counts refused connections as errors and stops by itself', async () => {
    const { port } = (await serve(echo)) as { port: number };
    await closeServers();
    const result = await generator().pingPong(
      { host: '127.0.0.1', port },
      { connections: 3, ...timing, rampTimeoutMs: 300 },
    );
    expect(result).toMatchObject({ opened: 0, served: 0, errors: 3, firstError: 'ECONNREFUSED' });
    expect(result.windows.every((w) => w.messages === 0)).toBe(true);
  });
});

describe.skipIf(!build.binary)('C load generator connection rate', () => {
  it('counts connect → exchange → close cycles', async () => {
    const target = await serve(echo);
    const result = await generator().connectionRate(target, { concurrency: 3, ...timing });
    expect(result.corruption).toBeNull();
    expect(result.errors).toBe(0);
    expect(result.rampMs).toBeNull();
    for (const w of result.windows) {
      expect(w.cycles).toBeGreaterThan(0);
      expect(LatencyHistogram.from(w.histogram).count).toBe(w.messages);
    }
  });

  it('reports a corrupted exchange', async () => {
    const target = await serve(corruptAt(3, (b) => b ^ 0x80));
    const result = await generator().connectionRate(target, { concurrency: 2, ...timing });
    expect(result.corruption).toMatch(/differs from message 0/);
  });
});

describe.skipIf(!build.binary)('C load generator', () => {
  unixSocketCases('C load generator', generator);
});
