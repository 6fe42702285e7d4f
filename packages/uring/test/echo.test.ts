// The echo server on io_uring over loopback: bytes exact at any chunking,
// many connections at once, a peer that resets, clean shutdown.
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type EchoServer, serveEcho, UringLoop } from '../src/index.js';
import { connect, echoThrough, skipReason, until } from './helpers.js';

describe.skipIf(skipReason !== null)('serveEcho on io_uring', () => {
  let server: EchoServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('echoes 256 KiB bit-exact, written in random chunks, through a 1 KiB buffer', async () => {
    server = serveEcho({ bufferSize: 1024 });
    const socket = await connect(server.port);
    const payload = randomBytes(256 * 1024);
    const echo = await echoThrough(socket, payload);
    expect(echo.equals(payload)).toBe(true);
    socket.destroy();
  });

  it('serves 200 connections at once, each echo its own', async () => {
    server = serveEcho();
    const sockets = await Promise.all(Array.from({ length: 200 }, () => connect(server!.port)));
    const payloads = sockets.map(() => randomBytes(2048));
    const echoes = await Promise.all(sockets.map((s, i) => echoThrough(s, payloads[i]!, 300)));
    expect(echoes.every((echo, i) => echo.equals(payloads[i]!))).toBe(true);
    await until(() => server!.connections() === 200);
    for (const socket of sockets) socket.destroy();
    await until(() => server!.connections() === 0);
    // Every completion woke the loop through the eventfd: none waited for the rescue timer.
    expect(UringLoop.open().stats().rescued).toBe(0);
  });

  it('a peer reset ends that connection only', async () => {
    server = serveEcho();
    const survivor = await connect(server.port);
    const rude = await connect(server.port);
    await echoThrough(rude, Buffer.from('hi'));
    rude.resetAndDestroy();
    await until(() => server!.connections() === 1);
    const echo = await echoThrough(survivor, Buffer.from('still here'));
    expect(echo.toString()).toBe('still here');
    survivor.destroy();
  });

  it('close() ends open connections (the client sees FIN) and stops accepting', async () => {
    const s = serveEcho();
    server = s;
    const socket = await connect(s.port);
    await echoThrough(socket, Buffer.from('x'));
    const ended = new Promise<void>((resolve) => socket.once('end', resolve));
    await s.close();
    await ended;
    expect(s.connections()).toBe(0);
    // close() resolved after the listening socket's last reference went
    // (the close and the cancelled accept both completed): refused.
    await expect(connect(s.port)).rejects.toThrow(/ECONNREFUSED/);
    socket.destroy();
  });

  it('close() with no connection open resolves once the listener is closed: the next connect is refused', async () => {
    for (let i = 0; i < 20; i++) {
      const s = serveEcho();
      await s.close();
      await expect(connect(s.port)).rejects.toThrow(/ECONNREFUSED/);
    }
  });

  it('echoes 4 MiB bit-exact through the shared buffer pool (more than the pool holds when 8 connections do it)', async () => {
    server = serveEcho();
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connect(server!.port)));
    const payloads = sockets.map(() => randomBytes(4 * 1024 * 1024));
    const echoes = await Promise.all(sockets.map((s, i) => echoThrough(s, payloads[i]!)));
    expect(echoes.every((echo, i) => echo.equals(payloads[i]!))).toBe(true);
    for (const socket of sockets) socket.destroy();
    await until(() => server!.connections() === 0);
  }, 60_000);

  it('a peer that sends without reading holds a few pool buffers, not the pool: others are still served', async () => {
    server = serveEcho();
    const greedy = await connect(server.port);
    greedy.pause(); // never reads: its echoes fill the socket buffers, then the server stops reading it
    const chunk = Buffer.alloc(64 * 1024, 1);
    for (let i = 0; i < 64; i++) greedy.write(chunk);
    await new Promise((r) => setTimeout(r, 200));
    const polite = await connect(server.port);
    const payload = randomBytes(256 * 1024);
    const echo = await echoThrough(polite, payload);
    expect(echo.equals(payload)).toBe(true);
    greedy.destroy();
    polite.destroy();
  }, 30_000);
});
