// AsyncSocket over real loopback sockets, on both read paths.
import net from 'node:net';
import {
  ConnectionClosedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  IdleTimeoutError,
  IncompleteReadError,
  LineTooLongError,
} from '@iomodels/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AsyncSocket, Proactor, ReadInProgressError } from '../src/index.js';
import { acceptedPair, collect, type Pair, pairKinds, writeInPieces } from './helpers.js';

describe.each(pairKinds)('AsyncSocket, %s', (_name, makePair) => {
  let pair: Pair;
  afterEach(async () => {
    await pair?.close();
  });

  it('reports its read path', async () => {
    pair = await makePair();
    const path = /\((\w+)\)/.exec(_name)![1];
    expect(pair.socket.readPath).toBe(path);
  });

  it('read places bytes in the caller buffer and answers 0 at end of stream', async () => {
    pair = await makePair();
    const buffer = new Uint8Array(16);
    const reading = pair.socket.read(buffer);
    pair.peer.end('hello');
    const n = await reading;
    expect(Buffer.from(buffer.subarray(0, n)).toString()).toBe('hello');
    expect(await pair.socket.read(buffer)).toBe(0);
    expect(await pair.socket.read(buffer)).toBe(0);
  });

  it('a small buffer takes what fits; the rest waits for the next read', async () => {
    pair = await makePair();
    pair.peer.end('abcdefghij');
    const buffer = new Uint8Array(4);
    let text = '';
    for (;;) {
      const n = await pair.socket.read(buffer);
      if (n === 0) break;
      expect(n).toBeLessThanOrEqual(4);
      text += Buffer.from(buffer.subarray(0, n)).toString();
    }
    expect(text).toBe('abcdefghij');
  });

  it('callback form: read chains from the completion, write reports the byte count', async () => {
    pair = await makePair();
    const data = Buffer.alloc(200_000, 7).map((_, i) => i % 251);
    const got: Buffer[] = [];
    const buffer = new Uint8Array(1000);
    const finished = new Promise<void>((resolve, reject) => {
      const onRead = (error: Error | null, n?: number) => {
        if (error) return reject(error);
        if (n === 0) return resolve();
        got.push(Buffer.from(buffer.subarray(0, n)));
        pair.socket.read(buffer, onRead);
      };
      pair.socket.read(buffer, onRead);
    });
    const written = new Promise<number>((resolve, reject) =>
      pair.socket.write('ping', {}, (error, n) => (error ? reject(error) : resolve(n!))),
    );
    const peerGot = new Promise<Buffer>((resolve) => pair.peer.once('data', resolve));
    await writeInPieces(pair.peer, data, 7000);
    pair.peer.end();
    await finished;
    expect(Buffer.concat(got).equals(data)).toBe(true);
    expect(await written).toBe(4);
    expect((await peerGot).toString()).toBe('ping');
  });

  it('a completion callback is never called inside the call that posted it', async () => {
    pair = await makePair();
    pair.peer.write('x');
    const buffer = new Uint8Array(1);
    expect(await pair.socket.read(buffer)).toBe(1);
    let inside = true;
    const done = new Promise<void>((resolve) => {
      pair.socket.write('y', () => {
        expect(inside).toBe(false);
        resolve();
      });
    });
    inside = false;
    await done;
  });

  it('a second outstanding read fails with ReadInProgressError; the first is unaffected', async () => {
    pair = await makePair();
    const first = pair.socket.read(new Uint8Array(8));
    await expect(pair.socket.read(new Uint8Array(8))).rejects.toSatisfy((error) =>
      ReadInProgressError.isInstance(error),
    );
    await expect(pair.socket.readExactly(2)).rejects.toBeInstanceOf(ReadInProgressError);
    const viaCallback = await new Promise<Error | null>((resolve) =>
      pair.socket.receive(8, (error) => resolve(error)),
    );
    expect(viaCallback).toBeInstanceOf(ReadInProgressError);
    pair.peer.write('ok');
    expect(await first).toBe(2);
  });

  it('cancellation: an aborted read completes with the reason and loses no bytes', async () => {
    pair = await makePair();
    const controller = new AbortController();
    const buffer = new Uint8Array(8);
    const reading = pair.socket.read(buffer, { signal: controller.signal });
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    pair.peer.write('after');
    const n = await pair.socket.read(buffer);
    expect(Buffer.from(buffer.subarray(0, n)).toString()).toBe('after');
  });

  it('cancellation: an already-aborted signal fails at once, callback form included', async () => {
    pair = await makePair();
    const signal = AbortSignal.abort();
    await expect(pair.socket.read(new Uint8Array(1), { signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await expect(pair.socket.write('x', { signal })).rejects.toMatchObject({ name: 'AbortError' });
    const error = await new Promise<Error | null>((resolve) =>
      pair.socket.readLine(100, { signal }, (e) => resolve(e)),
    );
    expect(error?.name).toBe('AbortError');
  });

  it('timeouts: AbortSignal.timeout completes a read on a silent peer with TimeoutError', async () => {
    pair = await makePair();
    await expect(
      pair.socket.read(new Uint8Array(8), { signal: AbortSignal.timeout(20) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(
      pair.socket.readExactly(4, { signal: AbortSignal.timeout(20) }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
    // The socket is still usable.
    pair.peer.write('late');
    expect(Buffer.from(await pair.socket.readExactly(4)).toString()).toBe('late');
  });

  it('a cancelled readExactly puts back the bytes it had taken', async () => {
    pair = await makePair();
    const controller = new AbortController();
    const reading = pair.socket.readExactly(6, { signal: controller.signal });
    await new Promise<void>((resolve) => pair.peer.write('abc', () => resolve()));
    // Let the bytes arrive and be taken by the pending readExactly.
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
    pair.peer.write('def');
    expect(Buffer.from(await pair.socket.readExactly(6)).toString()).toBe('abcdef');
  });

  it('readExactly: end of stream midway fails with IncompleteReadError holding the partial bytes', async () => {
    pair = await makePair();
    pair.peer.end('abc');
    const error = await pair.socket.readExactly(5).catch((e: unknown) => e);
    expect(IncompleteReadError.isInstance(error)).toBe(true);
    const incomplete = error as IncompleteReadError;
    expect(Buffer.from(incomplete.partial).toString()).toBe('abc');
    expect(incomplete.expected).toBe(5);
  });

  it('readExactly, readUntil, readLine: the same answers at every chunk size', async () => {
    const message = Buffer.from('HEAD12345678first line\r\nsecond|ninja|tail line without newline');
    for (const size of [1, 2, 3, 5, 8, 13, message.length]) {
      await pair?.close();
      pair = await makePair();
      const feeding = writeInPieces(pair.peer, message, size).then(() => pair.peer.end());
      expect(Buffer.from(await pair.socket.readExactly(4)).toString()).toBe('HEAD');
      expect(Buffer.from(await pair.socket.readExactly(8)).toString()).toBe('12345678');
      expect(await pair.socket.readLine()).toBe('first line');
      expect(Buffer.from(await pair.socket.readUntil('|', 100)).toString()).toBe('second|');
      expect(Buffer.from(await pair.socket.readUntil('|tail', 100)).toString()).toBe('ninja|tail');
      expect(await pair.socket.readLine()).toBe(' line without newline');
      expect(await pair.socket.readLine()).toBeNull();
      await feeding;
    }
  });

  it('readUntil past its limit fails with LineTooLongError and leaves the bytes unread', async () => {
    pair = await makePair();
    pair.peer.end('0123456789\nrest');
    await expect(pair.socket.readUntil('\n', 5)).rejects.toBeInstanceOf(LineTooLongError);
    expect(Buffer.from(await pair.socket.readExactly(10)).toString()).toBe('0123456789');
    expect(await pair.socket.readLine()).toBe('');
    const rest = await pair.socket.readUntil('\n', 100).catch((e: unknown) => e);
    expect(IncompleteReadError.isInstance(rest)).toBe(true);
    expect(Buffer.from((rest as IncompleteReadError).partial).toString()).toBe('rest');
  });

  it.each([
    ['promise', false],
    ['callback', true],
  ])(
    'queued writes (%s form) complete in posting order, bytes in order',
    async (_f, useCallback) => {
      pair = await makePair();
      const received = collect(pair.peer);
      const order: number[] = [];
      const pending: Promise<void>[] = [];
      const expected: Buffer[] = [];
      for (let i = 0; i < 200; i++) {
        const data = Buffer.alloc(i % 3 === 0 ? 100_000 : 10, i % 256);
        expected.push(data);
        if (!useCallback) {
          pending.push(pair.socket.write(data).then(() => void order.push(i)));
        } else {
          pending.push(
            new Promise<void>((resolve, reject) =>
              pair.socket.write(data, (error) => {
                if (error) return reject(error);
                order.push(i);
                resolve();
              }),
            ),
          );
        }
      }
      await Promise.all(pending);
      expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
      pair.socket.shutdownWrite();
      expect((await received).equals(Buffer.concat(expected))).toBe(true);
    },
  );

  it('a peer reset completes the pending read and every pending write with ConnectionResetError', async () => {
    pair = await makePair();
    // The peer reads nothing, so big writes stay pending.
    pair.peer.pause();
    const big = Buffer.alloc(8 * 1024 * 1024);
    const writes = [pair.socket.write(big), pair.socket.write(big), pair.socket.write('tail')];
    for (const w of writes) w.catch(() => {});
    const reading = pair.socket.read(new Uint8Array(10));
    expect(pair.socket.pendingWrites).toBeGreaterThan(0);
    pair.peer.resetAndDestroy();
    await expect(reading).rejects.toSatisfy((e) => ConnectionResetError.isInstance(e));
    for (const w of writes) {
      await expect(w).rejects.toSatisfy(
        (e) => ConnectionResetError.isInstance(e) || ConnectionClosedError.isInstance(e),
      );
    }
    // Later operations fail at once.
    await expect(pair.socket.read(new Uint8Array(1))).rejects.toBeInstanceOf(Error);
    await expect(pair.socket.write('x')).rejects.toBeInstanceOf(Error);
  });

  it('abort() completes every pending operation on this side', async () => {
    pair = await makePair();
    pair.peer.pause();
    const writing = pair.socket.write(Buffer.alloc(16 * 1024 * 1024));
    const reading = pair.socket.readLine();
    pair.socket.abort();
    await expect(reading).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(writing).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it('for await yields every chunk until end of stream', async () => {
    pair = await makePair();
    const data = Buffer.alloc(300_000).map((_, i) => i % 253);
    void writeInPieces(pair.peer, data, 50_000).then(() => pair.peer.end());
    const chunks: Uint8Array[] = [];
    for await (const chunk of pair.socket) chunks.push(chunk);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('await using closes gracefully: FIN after the posted writes', async () => {
    pair = await makePair();
    const received = collect(pair.peer);
    received.then(() => pair.peer.end());
    {
      await using socket = pair.socket;
      void socket.write('bye');
    }
    expect((await received).toString()).toBe('bye');
    expect(pair.socket.closed).toBe(true);
  });

  it('readAhead bounds the bytes read ahead of any read: the peer backs up, nothing is lost', async () => {
    pair = await makePair({ readAhead: 4096 });
    const data = Buffer.alloc(16 * 1024 * 1024).map((_, i) => (i * 7) % 251);
    const flushed = new Promise<void>((resolve) => pair.peer.write(data, () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Kernel buffers hold a few MiB at most: the rest waits in the peer.
    expect(pair.peer.writableLength).toBeGreaterThan(0);
    const got = Buffer.alloc(data.length);
    let at = 0;
    while (at < data.length) at += await pair.socket.read(got.subarray(at));
    await flushed;
    expect(got.equals(data)).toBe(true);
  });

  it('half-close: after the peer FIN, reads answer 0 and writes still go out', async () => {
    pair = await makePair();
    const received = collect(pair.peer);
    pair.peer.end('question');
    const line = await pair.socket.readUntil('n', 100);
    expect(Buffer.from(line).toString()).toBe('question');
    expect(await pair.socket.read(new Uint8Array(4))).toBe(0);
    await pair.socket.write('answer');
    pair.socket.shutdownWrite();
    expect((await received).toString()).toBe('answer');
    // Both directions done: the socket releases its descriptor by itself.
    pair.peer.end();
    await vi.waitFor(() => expect(pair.socket.closed).toBe(true));
  });

  it('idleTimeout fails a pending read on a silent connection with IdleTimeoutError, then closes with FIN and linger', async () => {
    pair = await makePair({ idleTimeout: 40 });
    pair.socket.setNoDelay(true);
    pair.socket.setKeepAlive(true, 1000);
    const peerEnded = new Promise((resolve) => pair.peer.once('end', resolve));
    await expect(pair.socket.read(new Uint8Array(8))).rejects.toSatisfy((e) =>
      IdleTimeoutError.isInstance(e),
    );
    // A ConnectionTimeoutError too, and so is every later operation.
    await expect(pair.socket.read(new Uint8Array(8))).rejects.toSatisfy((e) =>
      ConnectionTimeoutError.isInstance(e),
    );
    await expect(pair.socket.write('late')).rejects.toSatisfy((e) =>
      IdleTimeoutError.isInstance(e),
    );
    await peerEnded; // our FIN
    // Lingering for the peer's FIN; once it comes, the socket is released.
    expect(pair.socket.closed).toBe(false);
    pair.peer.end();
    await vi.waitFor(() => expect(pair.socket.closed).toBe(true));
  });

  it('a released socket leaves the proactor; later writes fail with ConnectionClosedError', async () => {
    pair = await makePair();
    expect(pair.proactor.openSockets).toBe(1);
    const local = pair.socket.local;
    const closing = pair.socket.close();
    pair.peer.end();
    await closing;
    expect(pair.proactor.openSockets).toBe(0);
    expect(pair.socket.closed).toBe(true);
    expect(pair.socket.local).toEqual(local);
    await expect(pair.socket.write('x')).rejects.toBeInstanceOf(ConnectionClosedError);
    // The peer had ended: end of stream still answers 0, whatever came after.
    expect(await pair.socket.read(new Uint8Array(1))).toBe(0);
    expect(await pair.socket.readLine()).toBeNull();
  });
});

describe('accepted sockets on the native read path (one shared staging buffer)', () => {
  it('read into a buffer posted before the bytes arrive (chained from the completion)', async () => {
    const pair = await acceptedPair();
    try {
      expect(pair.socket.readPath).toBe('native');
      const buffer = new Uint8Array(64);
      const results: string[] = [];
      const done = new Promise<void>((resolve, reject) => {
        const onRead = (error: Error | null, n?: number) => {
          if (error) return reject(error);
          if (n === 0) return resolve();
          results.push(Buffer.from(buffer.subarray(0, n)).toString());
          pair.socket.read(buffer, onRead);
        };
        pair.socket.read(buffer, onRead);
      });
      for (const word of ['one', 'two', 'three']) {
        const count = results.length;
        pair.peer.write(word);
        await vi.waitFor(() => expect(results.length).toBeGreaterThan(count));
      }
      pair.peer.end();
      await done;
      expect(results.join('')).toBe('onetwothree');
    } finally {
      await pair.close();
    }
  });

  it('close() while a chained read has the caller buffer installed: the buffer is never written again', async () => {
    const pair = await acceptedPair();
    try {
      const buffer = new Uint8Array(16);
      const first = new Promise<void>((resolve, reject) => {
        pair.socket.read(buffer, (error) => {
          if (error) return reject(error);
          // Posted from the completion, no signal: libuv reads next into `buffer` itself.
          pair.socket.read(buffer, () => {});
          resolve();
        });
      });
      pair.peer.write('one');
      await first;
      const received = collect(pair.peer);
      void pair.socket.write('bye');
      const closing = pair.socket.close();
      buffer.fill(0x2a);
      // The peer keeps talking; none of it may land in the buffer the caller got back.
      pair.peer.write('not for you');
      expect((await received).toString()).toBe('bye');
      await closing;
      expect(pair.socket.closed).toBe(true);
      expect(buffer.every((byte) => byte === 0x2a)).toBe(true);
    } finally {
      await pair.close();
    }
  });

  it('many connections at once: each gets its own bytes, chunks stay intact', async () => {
    const proactor = new Proactor();
    const acceptor = await proactor.listen({ port: 0 });
    const peers: net.Socket[] = [];
    try {
      const count = 20;
      const sockets: AsyncSocket[] = [];
      for (let i = 0; i < count; i++) {
        const accepting = proactor.accept(acceptor);
        const peer = net.connect(acceptor.address.port, '127.0.0.1');
        peer.on('error', () => {});
        peers.push(peer);
        sockets.push(await accepting);
      }
      const payload = (i: number) => Buffer.from(`<${i}>`.repeat(5000 + i * 100));
      // Bytes arrive while no read is posted (queued), then with reads posted.
      for (const [i, peer] of peers.entries()) peer.end(payload(i));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const received = await Promise.all(
        sockets.map(async (socket) => {
          const chunks: Uint8Array[] = [];
          for await (const chunk of socket) chunks.push(chunk);
          return chunks;
        }),
      );
      received.forEach((chunks, i) => {
        expect(sockets[i]!.readPath).toBe('native');
        expect(Buffer.concat(chunks).equals(payload(i))).toBe(true);
      });
    } finally {
      for (const peer of peers) peer.destroy();
      await proactor.close();
    }
  });
});
