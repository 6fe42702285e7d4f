// The ring's operations one by one: half-close in both directions,
// cancellation of a pending recv, batching of submissions.
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { errnoName, SHUT_WR, UringLoop } from '../src/index.js';
import { connect, skipReason, until } from './helpers.js';

/** Accepts one connection on a fresh listener and resolves with both ends. */
async function pair(
  loop: UringLoop,
): Promise<{ fd: number; client: net.Socket; listenFd: number }> {
  const listener = loop.listen('127.0.0.1', 0, 16);
  let fd = -1;
  loop.accept(
    listener.fd,
    (n) => {
      fd = n;
    },
    false,
  );
  const client = await connect(listener.port);
  await until(() => fd !== -1);
  return { fd, client, listenFd: listener.fd };
}

const recvOnce = (loop: UringLoop, fd: number, buffer: Uint8Array) =>
  new Promise<number>((resolve) => loop.recv(fd, buffer, 0, buffer.length, resolve));

describe.skipIf(skipReason !== null)('UringLoop operations', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });
  /** This loop's ring with one accepted connection, closed after the test. */
  const openPair = async () => {
    const loop = UringLoop.open();
    const { fd, client, listenFd } = await pair(loop);
    cleanup.push(() => {
      loop.close(fd);
      loop.close(listenFd);
      client.destroy();
    });
    return { loop, fd, client };
  };

  it('half-close: the peer FIN reads as 0, the server still sends, then its FIN', async () => {
    const { loop, fd, client } = await openPair();
    const buffer = new Uint8Array(64);
    client.end('abc');
    let n = await recvOnce(loop, fd, buffer);
    expect(Buffer.from(buffer.subarray(0, n)).toString()).toBe('abc');
    n = await recvOnce(loop, fd, buffer);
    expect(n).toBe(0);
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    const reply = new TextEncoder().encode('xyz');
    expect(await new Promise((r) => loop.send(fd, reply, 0, 3, r))).toBe(3);
    expect(await new Promise((r) => loop.shutdown(fd, SHUT_WR, r))).toBe(0);
    await ended;
    expect(Buffer.concat(received).toString()).toBe('xyz');
  });

  it('cancel: a pending recv completes with ECANCELED and its buffer is released', async () => {
    const { loop, fd, client } = await openPair();
    const buffer = new Uint8Array(64);
    let result: number | undefined;
    const id = loop.recv(fd, buffer, 0, 64, (n) => {
      result = n;
    });
    let cancelled: number | undefined;
    loop.cancel(id, (n) => {
      cancelled = n;
    });
    await until(() => result !== undefined && cancelled !== undefined);
    expect(errnoName(result!)).toBe('ECANCELED');
    expect(cancelled).toBe(0);
    // The connection still works after the cancelled read.
    client.write('after');
    const n = await recvOnce(loop, fd, buffer);
    expect(Buffer.from(buffer.subarray(0, n)).toString()).toBe('after');
  });

  it('operations started in one turn go to the kernel in one io_uring_enter', async () => {
    const { loop, fd } = await openPair();
    await new Promise((r) => setImmediate(r));
    const before = loop.stats();
    const payload = new Uint8Array(8).fill(7);
    const done: number[] = [];
    for (let i = 0; i < 20; i++) loop.send(fd, payload, 0, 8, (n) => done.push(n));
    await until(() => done.length === 20);
    const after = loop.stats();
    expect(done.every((n) => n === 8)).toBe(true);
    expect(after.submitted - before.submitted).toBe(20);
    expect(after.enters - before.enters).toBe(1);
    // And the 20 completions came back in fewer JS calls than operations.
    expect(after.callbacks - before.callbacks).toBeLessThan(20);
  });

  it('a send to a closed descriptor completes with EBADF instead of throwing', async () => {
    const loop = UringLoop.open();
    const result = await new Promise<number>((r) =>
      loop.send(1_000_000, new Uint8Array(1), 0, 1, r),
    );
    expect(errnoName(result)).toBe('EBADF');
  });
});
