// Small in-process servers for the load generators' tests: a plain echo,
// one that dribbles replies back in tiny pieces, one that flips a byte, one
// that records when each connection's messages arrive.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Target } from '../src/load-generator.js';

const servers: Array<{ server: net.Server; sockets: net.Socket[]; dir: string | null }> = [];

/**
 * Listens on 127.0.0.1, port 0, or (`unix`) on a socket file in a fresh
 * temporary folder; `onConnection` also gets every socket accepted so far.
 */
export async function serve(
  onConnection: (socket: net.Socket, all: net.Socket[]) => void,
  transport: 'tcp' | 'unix' = 'tcp',
): Promise<Target> {
  const all: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    all.push(socket);
    onConnection(socket, all);
  });
  const dir = transport === 'unix' ? mkdtempSync(join(tmpdir(), 'iomodels-bench-test-')) : null;
  servers.push({ server, sockets: all, dir });
  if (dir) {
    const path = join(dir, 'echo.sock');
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return { path };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** Closes every server `serve` started, and removes their socket folders (for afterEach). */
export async function closeServers(): Promise<void> {
  for (const { server, sockets, dir } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export const echo = (socket: net.Socket) => socket.pipe(socket);

/** Echoes every chunk back in pieces of 1..7 bytes, each a separate write a tick apart. */
export function dribble(socket: net.Socket) {
  socket.on('data', (data: Buffer) => {
    socket.pause();
    let at = 0;
    const step = () => {
      if (at >= data.length) return socket.resume();
      const n = 1 + Math.floor(Math.random() * 7);
      socket.write(data.subarray(at, at + n));
      at += n;
      setImmediate(step);
    };
    step();
  });
  socket.on('end', () => socket.end());
}

/** Echoes, but with `mutate` applied to the byte stream at absolute offset `at`. */
export function corruptAt(at: number, mutate: (byte: number) => number) {
  return (socket: net.Socket) => {
    let seen = 0;
    socket.on('data', (data: Buffer) => {
      const copy = Buffer.from(data);
      if (at >= seen && at < seen + copy.length) copy[at - seen] = mutate(copy[at - seen]!);
      seen += copy.length;
      socket.write(copy);
    });
    socket.on('end', () => socket.end());
  };
}

/** What `recordingEcho` saw, in arrival order. */
export interface ArrivalEvent {
  /** Connection, numbered in accept order. */
  conn: number;
  /** `first`: its first message is complete; `more`: bytes of a later message arrived. */
  kind: 'first' | 'more';
  /** performance.now() of this process. */
  at: number;
}

/**
 * Echoes `size`-byte messages and records when each connection's first
 * message is complete and when anything after it arrives. Connections whose
 * accept-order number `unanswered` picks are read but never answered.
 */
export function recordingEcho(size: number, unanswered: (conn: number) => boolean = () => false) {
  const events: ArrivalEvent[] = [];
  let accepted = 0;
  const handler = (socket: net.Socket) => {
    const conn = accepted++;
    let got = 0;
    socket.on('data', (data: Buffer) => {
      const before = got;
      got += data.length;
      const at = performance.now();
      if (before < size && got >= size) events.push({ conn, kind: 'first', at });
      if (got > size && before <= size) events.push({ conn, kind: 'more', at });
      if (!unanswered(conn)) socket.write(data);
    });
    socket.on('end', () => socket.end());
  };
  return { handler, events };
}
