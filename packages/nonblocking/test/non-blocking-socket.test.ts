import { randomBytes } from 'node:crypto';
import { ConnectionClosedError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { WOULD_BLOCK } from '../src/index.js';
import { acceptedPair, type Pair, readSlowly, recvArrived, tick } from './helpers.js';

describe('NonBlockingSocket', () => {
  let pair: Pair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('answers WOULD_BLOCK at once on an idle socket, data once it arrives, empty at end', async () => {
    pair = await acceptedPair();
    const { socket, peer } = pair;
    expect(socket.recv()).toBe(WOULD_BLOCK);
    expect(socket.recv(1)).toBe(WOULD_BLOCK);

    peer.write('hello');
    const data = await recvArrived(socket);
    expect(Buffer.from(data as Uint8Array).toString()).toBe('hello');
    expect(socket.recv()).toBe(WOULD_BLOCK);

    peer.end();
    const end = await recvArrived(socket);
    expect(end).toEqual(new Uint8Array(0));
  });

  it('works over a bare accepted handle: exchange, then half-close (FIN) and still read', async () => {
    pair = await acceptedPair({ bare: true });
    const { socket, peer } = pair;
    peer.write('ping');
    const data = await recvArrived(socket);
    expect(Buffer.from(data as Uint8Array).toString()).toBe('ping');
    expect(socket.send(Buffer.from('pong'))).toBe(4);
    const ended = new Promise<string>((resolve) => {
      let text = '';
      peer.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      peer.once('end', () => resolve(text));
    });
    socket.shutdownWrite();
    expect(await ended).toBe('pong');
    // Half-closed, still reading: the peer's bytes arrive after our FIN.
    peer.write('more');
    const more = await recvArrived(socket);
    expect(Buffer.from(more as Uint8Array).toString()).toBe('more');
  });

  it('resets a bare accepted handle (RST) without a net.Socket first', async () => {
    pair = await acceptedPair({ bare: true });
    const { socket, peer } = pair;
    const reset = new Promise<string | undefined>((resolve) =>
      peer.once('error', (error: NodeJS.ErrnoException) => resolve(error.code)),
    );
    socket.abort();
    expect(socket.closed).toBe(true);
    expect(await reset).toBe('ECONNRESET');
  });

  it('takes part of a large write, answers WOULD_BLOCK when full, and completes when resumed', async () => {
    pair = await acceptedPair();
    const { socket, peer } = pair;
    peer.pause(); // the peer reads nothing yet: the kernel's buffers fill up
    // More than loopback's send and receive buffers hold at once (Linux: 4 MiB + 128 KiB).
    const payload = randomBytes(8 * 1024 * 1024);

    const first = socket.send(payload);
    expect(typeof first).toBe('number');
    expect(first as number).toBeGreaterThan(0);
    expect(first as number).toBeLessThan(payload.length); // a partial write
    let offset = first as number;
    let full = socket.send(payload, offset);
    for (let i = 0; full !== WOULD_BLOCK && i < 1000; i++) {
      offset += full;
      full = socket.send(payload, offset);
    }
    expect(full).toBe(WOULD_BLOCK);

    // Now the peer reads, slowly; the writer keeps asking until every byte is out.
    const received = readSlowly(peer, 1);
    let partialWrites = 0;
    let wouldBlocks = 0;
    const deadline = Date.now() + 60_000;
    while (offset < payload.length && Date.now() < deadline) {
      const n = socket.send(payload, offset);
      if (n === WOULD_BLOCK) {
        wouldBlocks++;
        await tick();
        continue;
      }
      if (offset + n < payload.length) partialWrites++;
      offset += n;
    }
    expect(offset).toBe(payload.length);
    expect(wouldBlocks).toBeGreaterThan(0);
    expect(partialWrites).toBeGreaterThan(0);
    socket.shutdownWrite();
    const data = await received;
    expect(data.length).toBe(payload.length);
    expect(Buffer.compare(data, payload)).toBe(0);
  });

  it('half-closes with FIN and keeps reading', async () => {
    pair = await acceptedPair();
    const { socket, peer } = pair;
    const ended = new Promise<void>((resolve) => peer.once('end', resolve));
    peer.resume();
    socket.shutdownWrite();
    socket.shutdownWrite(); // idempotent
    await ended;
    expect(() => socket.send(new Uint8Array(1))).toThrow(ConnectionClosedError);
    peer.end('after FIN');
    const chunks: Buffer[] = [];
    for (let i = 0; i < 5000; i++) {
      const data = socket.recv();
      if (data === WOULD_BLOCK) {
        await tick();
        continue;
      }
      if (data.length === 0) break;
      chunks.push(Buffer.from(data));
    }
    expect(Buffer.concat(chunks).toString()).toBe('after FIN');
  });

  it('refuses IO once closed, and closes once', async () => {
    pair = await acceptedPair();
    const { socket } = pair;
    expect(socket.fileno()).toBeGreaterThanOrEqual(0);
    socket.close();
    socket.close();
    socket.abort();
    expect(socket.closed).toBe(true);
    expect(() => socket.recv()).toThrow(ConnectionClosedError);
    expect(() => socket.send(new Uint8Array(1))).toThrow(ConnectionClosedError);
  });

  it('rejects a recv of no bytes (it could not be told from end of stream)', async () => {
    pair = await acceptedPair();
    expect(() => pair!.socket.recv(0)).toThrow(RangeError);
  });
});
