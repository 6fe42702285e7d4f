// Pins the ByteStream contract on both implementations — straight on the
// libuv handle, and over the public net.Socket API — on the running Node
// (CI: 20 and 24). The owners (multiplex, async) rely on exactly this.
import { once } from 'node:events';
import net from 'node:net';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type ByteStream,
  type ByteStreamListener,
  byteStreamOf,
  handleStream,
  handleStreamSupported,
} from '@iomodels/fd';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type SocketPair, socketPair, TRANSPORTS } from './socket-pair.js';

let pair: SocketPair | undefined;
let stream: ByteStream | undefined;
afterEach(() => {
  stream?.close();
  stream = undefined;
  pair?.close();
  pair = undefined;
});

/** A listener that records everything the stream reports. */
class Recorder implements ByteStreamListener {
  readonly reads: Array<{ into: Uint8Array; text: string }> = [];
  ends = 0;
  drains = 0;
  errors: Error[] = [];
  /** When set, the buffer `onData` hands back (switching the next read's target). */
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

/** Everything `socket` receives until it ends. */
function collect(socket: net.Socket): { bytes: () => Buffer; ended: Promise<unknown> } {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { bytes: () => Buffer.concat(chunks), ended: once(socket, 'end') };
}

const KINDS = (['handle', 'socket'] as const).flatMap((kind) =>
  TRANSPORTS.map((transport) => [kind, transport] as const),
);

describe.each(KINDS)('ByteStream (%s over %s)', (kind, transport) => {
  async function open(buffer = new Uint8Array(64)) {
    pair = await socketPair(transport);
    const recorder = new Recorder();
    stream = byteStreamOf(pair.server, recorder, buffer, kind);
    return { pair, recorder, stream, buffer };
  }

  it('is the implementation asked for', async () => {
    if (kind === 'handle') expect(handleStreamSupported()).toBe(true);
    const { stream } = await open();
    expect(stream.kind).toBe(kind);
  });

  it('reads land in the given buffer; writes reach the peer; addresses are kept', async () => {
    const { pair, recorder, stream, buffer } = await open();
    if (transport === 'unix') {
      // The accepted end of a Unix socket is unnamed here; the server knows its path.
      expect(stream.remote()).toEqual({ family: 'unix', path: '', host: '', port: 0 });
      expect(stream.local().family).toBe('unix');
      // No Nagle, no keep-alive on a Unix socket: these are no-ops, not errors.
      stream.setNoDelay(true);
      stream.setKeepAlive(true, 1000);
    } else {
      expect(stream.remote()).toEqual({
        host: '127.0.0.1',
        port: pair.client.localPort,
        family: 'IPv4',
      });
      expect(stream.local().port).toBe(pair.client.remotePort);
    }
    const received = collect(pair.client);
    pair.client.write('hello');
    await eventually(() => recorder.text() === 'hello');
    expect(recorder.reads.every((r) => r.into === buffer)).toBe(true);
    expect(stream.write(Buffer.from('bytes '))).toBe(true);
    expect(stream.writeString('and text ✓')).toBe(true);
    await eventually(() => received.bytes().toString() === 'bytes and text ✓');
  });

  it('a buffer returned from onData is where the next read lands', async () => {
    const { pair, recorder } = await open();
    const second = new Uint8Array(64);
    recorder.next = second;
    pair.client.write('one');
    await eventually(() => recorder.reads.length === 1);
    recorder.next = undefined;
    pair.client.write('two');
    await eventually(() => recorder.text() === 'onetwo');
    expect(recorder.reads.at(-1)?.into).toBe(second);
  });

  it('readStop holds input back until readStart', async () => {
    const { pair, recorder, stream } = await open();
    stream.readStop();
    expect(stream.reading).toBe(false);
    pair.client.write('later');
    // A round trip the other way proves the bytes had time to arrive.
    const received = collect(pair.client);
    stream.write(Buffer.from('ping'));
    await eventually(() => received.bytes().length === 4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorder.reads).toHaveLength(0);
    stream.readStart();
    await eventually(() => recorder.text() === 'later');
  });

  it('a write the peer cannot take yet is queued, completes later, then drains; bytes exact', async () => {
    const { pair, recorder, stream } = await open();
    pair.client.pause();
    const big = Buffer.alloc(16 * 1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const completions: Array<Error | null> = [];
    const atOnce = stream.write(big, (error) => completions.push(error));
    expect(atOnce).toBe(false);
    expect(stream.pendingBytes).toBeGreaterThan(0);
    expect(completions).toEqual([]);
    const received = collect(pair.client);
    pair.client.resume();
    await eventually(() => completions.length === 1 && recorder.drains === 1);
    expect(completions).toEqual([null]);
    expect(stream.pendingBytes).toBe(0);
    await eventually(() => received.bytes().length === big.length);
    expect(received.bytes().equals(big)).toBe(true);
  });

  it('a small write that cannot complete at once still drains (below any high-water mark)', async () => {
    const { pair, recorder, stream } = await open();
    pair.client.pause();
    // Small writes complete at once until the kernel buffers are full; the
    // first one that does not leaves only a little pending.
    const piece = Buffer.alloc(1024, 1);
    let total = 0;
    let atOnce = true;
    while (atOnce && total < 256 * 1024 * 1024) {
      atOnce = stream.write(piece);
      total += piece.length;
    }
    expect(atOnce).toBe(false);
    expect(stream.pendingBytes).toBeGreaterThan(0);
    expect(stream.pendingBytes).toBeLessThanOrEqual(piece.length);
    const received = collect(pair.client);
    pair.client.resume();
    await eventually(() => recorder.drains === 1);
    expect(stream.pendingBytes).toBe(0);
    await eventually(() => received.bytes().length === total);
  });

  it("the peer's FIN ends reading only: we can still write, then shut down", async () => {
    const { pair, recorder, stream } = await open();
    const received = collect(pair.client);
    pair.client.end('last');
    await eventually(() => recorder.ends === 1);
    expect(recorder.text()).toBe('last');
    expect(stream.reading).toBe(false);
    stream.write(Buffer.from('reply after FIN'));
    const shut: Array<Error | null> = [];
    stream.shutdown((error) => shut.push(error));
    await received.ended;
    expect(received.bytes().toString()).toBe('reply after FIN');
    await eventually(() => shut.length === 1);
    expect(shut).toEqual([null]);
    expect(recorder.errors).toEqual([]);
  });

  it("the peer's reset is reported once as an error with its code", async (context) => {
    // A Unix socket has no RST: the peer's resetAndDestroy is a plain close.
    if (transport === 'unix') context.skip();
    const { pair, recorder } = await open();
    pair.client.resetAndDestroy();
    await eventually(() => recorder.errors.length === 1);
    expect((recorder.errors[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(recorder.ends).toBe(0);
  });

  it('close fails queued writes and finishes', async () => {
    const { pair, stream } = await open();
    pair.client.pause();
    const completions: Array<Error | null> = [];
    stream.write(Buffer.alloc(16 * 1024 * 1024), (error) => completions.push(error));
    let closed = false;
    stream.close(() => {
      closed = true;
    });
    expect(stream.closed).toBe(true);
    await eventually(() => closed && completions.length === 1);
    expect(completions[0]).toBeInstanceOf(Error);
  });

  it('a FIN still queued behind writes when the stream closes is reported failed', async () => {
    const { pair, stream } = await open();
    pair.client.pause();
    stream.write(Buffer.alloc(16 * 1024 * 1024));
    const shut: Array<Error | null> = [];
    stream.shutdown((error) => shut.push(error));
    stream.close();
    await eventually(() => shut.length === 1);
    expect(shut[0]).toBeInstanceOf(Error);
  });

  it('reset closes with RST: the peer sees ECONNRESET', async (context) => {
    if (transport === 'unix') context.skip(); // no RST on a Unix socket
    const { pair, stream } = await open();
    const error = once(pair.client, 'error');
    stream.reset();
    const [reason] = (await error) as [NodeJS.ErrnoException];
    expect(reason.code).toBe('ECONNRESET');
  });
});

describe('byteStreamOf', () => {
  it('falls back to the public API when the socket lacks a handle internal, and still works', async () => {
    pair = await socketPair();
    const handle = (pair.server as unknown as { _handle: Record<string, unknown> })._handle;
    handle.useUserBuffer = undefined; // as on a runtime without the user-buffer read path
    const recorder = new Recorder();
    stream = byteStreamOf(pair.server, recorder, new Uint8Array(64));
    expect(stream.kind).toBe('socket');
    pair.client.write('still read');
    await eventually(() => recorder.text() === 'still read');
  });
});

describe('handleStream', () => {
  it('takes the connection off its server: the server no longer counts it', async () => {
    const listener = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const accepted = once(listener, 'connection') as Promise<[net.Socket]>;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    const [socket] = await accepted;
    const count = () =>
      new Promise<number>((resolve, reject) =>
        listener.getConnections((error, n) => (error ? reject(error) : resolve(n))),
      );
    expect(await count()).toBe(1);
    stream = handleStream(socket, new Recorder(), new Uint8Array(16));
    expect(socket.destroyed).toBe(true);
    expect(await count()).toBe(0);
    client.destroy();
    listener.close();
  });

  it('lets the adopted net.Socket go: the handle does not keep it alive', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const listener = net.createServer({ pauseOnConnect: true });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const { port } = listener.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    // Only a WeakRef to the socket survives this function.
    const adopt = async () => {
      const [socket] = (await once(listener, 'connection')) as [net.Socket];
      stream = handleStream(socket, new Recorder(), new Uint8Array(16));
      return new WeakRef(socket);
    };
    const socket = await adopt();
    // deref() keeps its target alive until the current job ends: collect in a later one.
    let collected = false;
    for (let i = 0; i < 10 && !collected; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
      await new Promise((resolve) => setImmediate(resolve));
      collected = socket.deref() === undefined;
    }
    expect(collected).toBe(true);
    expect(stream?.closed).toBe(false);
    client.destroy();
    listener.close();
  });

  it('refuses a socket that has been read, changing nothing', async () => {
    pair = await socketPair();
    pair.server.resume();
    pair.client.write('x');
    await once(pair.server, 'data');
    expect(() => handleStream(pair!.server, new Recorder(), new Uint8Array(16))).toThrow(TypeError);
    expect(pair.server.destroyed).toBe(false);
  });
});
