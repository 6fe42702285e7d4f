// The ByteStream contract of `@iomodels/fd` (packages/fd/test/byte-stream.test.ts)
// on the ring's stream: the same cases, over a connection accepted through
// io_uring. Skipped, with the loader's reason, where the ring cannot run.
import { once } from 'node:events';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { UringByteStream, UringLoop, type UringStreamListener } from '../src/index.js';
import { connect, skipReason, until } from './helpers.js';

/** A listener that records everything the stream reports. */
class Recorder implements UringStreamListener {
  readonly reads: Array<{ into: Uint8Array; text: string }> = [];
  ends = 0;
  drains = 0;
  errors: Error[] = [];
  next: Uint8Array | undefined;
  onData(buffer: Uint8Array, length: number): Uint8Array | undefined {
    this.reads.push({ into: buffer, text: Buffer.from(buffer.subarray(0, length)).toString() });
    return this.next;
  }
  onEnd(): void {
    this.ends++;
  }
  onDrain(): void {
    this.drains++;
  }
  onError(error: Error): void {
    this.errors.push(error);
  }
  text(): string {
    return this.reads.map((r) => r.text).join('');
  }
}

function collect(socket: net.Socket): { bytes: () => Buffer; ended: Promise<unknown> } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks), ended: once(socket, 'end') };
}

describe.skipIf(skipReason !== null)('ByteStream contract (uring)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const fn of cleanup.splice(0)) fn();
  });

  async function open(buffer: Uint8Array = new Uint8Array(64), shared?: Uint8Array) {
    const loop = UringLoop.open();
    const listener = loop.listen('127.0.0.1', 0, 16);
    let fd = -1;
    loop.accept(listener.fd, (n) => (fd = n), false);
    const client = await connect(listener.port);
    client.on('error', () => {});
    client.setNoDelay(true);
    await until(() => fd !== -1);
    expect(fd).toBeGreaterThan(0);
    const recorder = new Recorder();
    const stream = new UringByteStream(loop, fd, recorder, buffer, shared);
    cleanup.push(() => {
      stream.close();
      loop.close(listener.fd);
      client.destroy();
    });
    return { client, recorder, stream, buffer };
  }

  it('reads land in the given buffer; writes reach the peer; addresses are kept', async () => {
    const { client, recorder, stream, buffer } = await open();
    expect(stream.kind).toBe('uring');
    expect(stream.remote()).toEqual({ host: '127.0.0.1', port: client.localPort, family: 'IPv4' });
    expect(stream.local()).toEqual({ host: '127.0.0.1', port: client.remotePort, family: 'IPv4' });
    stream.readStart();
    expect(stream.reading).toBe(true);
    client.write('hello');
    await until(() => recorder.text() === 'hello');
    expect(recorder.reads[0]!.into).toBe(buffer);
    const got = collect(client);
    let done: Error | null | undefined;
    expect(stream.write(Buffer.from('back'), (e) => (done = e))).toBe(false);
    expect(stream.pendingBytes).toBe(4);
    await until(() => got.bytes().toString() === 'back' && done === null);
    expect(stream.pendingBytes).toBe(0);
    expect(recorder.drains).toBe(1);
  });

  it('a buffer returned from onData is where the next read lands', async () => {
    const { client, recorder, stream } = await open();
    const second = new Uint8Array(32);
    recorder.next = second;
    stream.readStart();
    client.write('one');
    await until(() => recorder.reads.length === 1);
    recorder.next = undefined;
    client.write('two');
    await until(() => recorder.reads.length === 2);
    expect(recorder.reads[1]!.into).toBe(second);
    expect(recorder.text()).toBe('onetwo');
  });

  it('never reads into the shared buffer: a pool buffer (or, with no pool, one of its own, as large) takes its place', async () => {
    const shared = new Uint8Array(64);
    const { client, recorder, stream } = await open(shared, shared);
    stream.readStart();
    client.write('mine');
    await until(() => recorder.text() === 'mine');
    expect(recorder.reads[0]!.into).not.toBe(shared);
    const pool = UringLoop.open().pool();
    if (pool) expect(pool).toContain(recorder.reads[0]!.into);
    else expect(recorder.reads[0]!.into.length).toBe(64);
    expect(shared.every((b) => b === 0)).toBe(true);
  });

  it('readStop holds input back until readStart', async () => {
    const { client, recorder, stream } = await open();
    stream.readStart();
    stream.readStop();
    expect(stream.reading).toBe(false);
    client.write('held');
    await new Promise((r) => setTimeout(r, 100));
    expect(recorder.reads).toHaveLength(0);
    stream.readStart();
    await until(() => recorder.text() === 'held');
  });

  it("readStop cancels a recv into the owner's buffer: nothing lands there after it", async () => {
    const { client, recorder, stream } = await open();
    const callers = new Uint8Array(32);
    recorder.next = callers;
    stream.readStart();
    client.write('one');
    await until(() => recorder.reads.length === 1);
    recorder.next = undefined;
    await new Promise((r) => setTimeout(r, 20)); // the recv into callers' buffer is posted
    stream.readStop();
    await new Promise((r) => setTimeout(r, 20));
    client.write('two');
    await new Promise((r) => setTimeout(r, 100));
    expect(recorder.reads).toHaveLength(1);
    expect(callers.every((b) => b === 0)).toBe(true);
    stream.readStart();
    await until(() => recorder.text() === 'onetwo');
  });

  it('a write larger than the socket buffer is sent in parts, completes, then drains; bytes exact', async () => {
    const { client, recorder, stream } = await open();
    const big = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    let done: Error | null | undefined;
    stream.write(big, (e) => (done = e));
    stream.write(Buffer.from('tail'), () => {});
    const got = collect(client);
    await until(() => done === null && stream.pendingBytes === 0);
    await until(() => got.bytes().length === big.length + 4);
    expect(got.bytes().subarray(0, big.length).equals(big)).toBe(true);
    expect(got.bytes().subarray(big.length).toString()).toBe('tail');
    expect(recorder.drains).toBe(1);
  });

  it("the peer's FIN ends reading only: we can still write, then shut down", async () => {
    const { client, recorder, stream } = await open();
    stream.readStart();
    const got = collect(client);
    client.end('bye');
    await until(() => recorder.ends === 1);
    expect(recorder.text()).toBe('bye');
    expect(stream.reading).toBe(false);
    stream.write(Buffer.from('after'));
    let shut: Error | null | undefined;
    stream.shutdown((e) => (shut = e));
    await got.ended;
    expect(got.bytes().toString()).toBe('after');
    await until(() => shut === null);
  });

  it("the peer's reset is reported once as an error with its code", async () => {
    const { client, recorder, stream } = await open();
    stream.readStart();
    client.resetAndDestroy();
    await until(() => recorder.errors.length === 1);
    expect((recorder.errors[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('close fails queued writes and finishes', async () => {
    const { stream } = await open();
    const big = Buffer.alloc(16 * 1024 * 1024);
    let failed: Error | null | undefined;
    stream.write(big, (e) => (failed = e));
    let closed = false;
    stream.close(() => (closed = true));
    expect(stream.closed).toBe(true);
    await until(() => closed && failed instanceof Error);
    let again = false;
    stream.close(() => (again = true));
    await until(() => again);
  });

  it('reset closes with RST: the peer sees ECONNRESET', async () => {
    const { client, stream } = await open();
    const error = once(client, 'error');
    client.write('x');
    await new Promise((r) => setTimeout(r, 20));
    stream.reset();
    const [e] = (await error) as [NodeJS.ErrnoException];
    expect(e.code).toBe('ECONNRESET');
  });

  it('setNoDelay and setKeepAlive reach the descriptor without error', async () => {
    const { stream } = await open();
    stream.setNoDelay(true);
    stream.setKeepAlive(true, 5000);
    stream.setKeepAlive(false);
  });

  describe('reading through the buffer pool (an owner with a shared staging buffer)', () => {
    const pooled = () => {
      const shared = new Uint8Array(64);
      return open(shared, shared);
    };

    it('readStop holds input back until readStart, in order; every byte arrives once', async () => {
      const { client, recorder, stream } = await pooled();
      stream.readStart();
      client.write('one');
      await until(() => recorder.text() === 'one');
      stream.readStop();
      await new Promise((r) => setTimeout(r, 20)); // the cancel reached the kernel
      client.write('two');
      await new Promise((r) => setTimeout(r, 20));
      client.write('three');
      await new Promise((r) => setTimeout(r, 100));
      expect(recorder.text()).toBe('one');
      stream.readStart();
      await until(() => recorder.text() === 'onetwothree');
    });

    it('stopping and starting again at once loses nothing', async () => {
      const { client, recorder, stream } = await pooled();
      stream.readStart();
      let expected = '';
      for (let i = 0; i < 20; i++) {
        client.write(`m${i};`);
        expected += `m${i};`;
        stream.readStop();
        stream.readStart();
        await new Promise((r) => setImmediate(r));
      }
      await until(() => recorder.text() === expected);
    });

    it("the peer's FIN ends reading; a reset is reported once", async () => {
      const first = await pooled();
      first.stream.readStart();
      first.client.end('bye');
      await until(() => first.recorder.ends === 1);
      expect(first.recorder.text()).toBe('bye');
      expect(first.stream.reading).toBe(false);
      const second = await pooled();
      second.stream.readStart();
      second.client.resetAndDestroy();
      await until(() => second.recorder.errors.length === 1);
      expect((second.recorder.errors[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    });

    it('more bytes than the whole pool pass through (buffers come back)', async () => {
      const { client, recorder, stream } = await pooled();
      const pool = UringLoop.open().pool();
      const total = pool ? pool.length * pool[0]!.length + 1024 * 1024 : 1024 * 1024;
      let received = 0;
      recorder.onData = (_buffer, length) => {
        received += length;
        return undefined;
      };
      stream.readStart();
      const piece = Buffer.alloc(256 * 1024, 1);
      for (let sent = 0; sent < total; sent += piece.length) {
        if (!client.write(piece)) await once(client, 'drain');
      }
      await until(() => received >= total, 30_000);
      expect(received).toBe(Math.ceil(total / piece.length) * piece.length);
    }, 60_000);
  });
});
