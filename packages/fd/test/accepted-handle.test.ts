// Accepting below net.Server: connections arrive as bare libuv handles, with
// their addresses, refusable, and usable by both ByteStreams (the handle one
// directly, the public-API one through a net.Socket made on demand) — over
// TCP and Unix sockets.
import fs from 'node:fs';
import net from 'node:net';
import {
  type AcceptedHandle,
  acceptHandles,
  type ByteStream,
  type ByteStreamListener,
  byteStreamOf,
  handleStreamSupported,
} from '@iomodels/fd';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTo, eventually, listenOn, TRANSPORTS, type Transport } from './socket-pair.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A listening server whose connections `acceptHandles` delivers; `connect` opens one client. */
async function bareServer(transport: Transport) {
  const listener = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  const events: net.Socket[] = [];
  listener.on('connection', (socket) => events.push(socket));
  const { dir, file } = await listenOn(listener, transport);
  const accepted: AcceptedHandle[] = [];
  const refusal = acceptHandles(listener, (handle) => accepted.push(handle));
  const clients: net.Socket[] = [];
  cleanups.push(() => {
    for (const client of clients) client.destroy();
    for (const handle of accepted) handle.destroy();
    listener.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    refusal,
    accepted,
    events,
    async connect(): Promise<net.Socket> {
      const client = await connectTo(listener, transport, file);
      clients.push(client);
      return client;
    },
  };
}

/** Collects what a stream reads. */
class Collector implements ByteStreamListener {
  text = '';
  ended = false;
  onData(buffer: Uint8Array, length: number): undefined {
    this.text += Buffer.from(buffer.subarray(0, length)).toString();
    return undefined;
  }
  onEnd(): void {
    this.ended = true;
  }
  onDrain(): void {}
  onError(): void {}
}

describe.runIf(handleStreamSupported()).each(TRANSPORTS)('acceptHandles over %s', (transport) => {
  it('delivers each connection as a bare handle, not as a net.Socket', async () => {
    const server = await bareServer(transport);
    expect(server.refusal).toBeUndefined();
    const client = await server.connect();
    await eventually(() => server.accepted.length === 1);
    expect(server.events).toHaveLength(0);
    const [accepted] = server.accepted as [AcceptedHandle];
    expect(accepted.destroyed).toBe(false);
    if (transport === 'tcp') {
      expect(accepted.remoteAddress).toBe('127.0.0.1');
      expect(accepted.remotePort).toBe(client.localPort);
      expect(accepted.remoteFamily).toBe('IPv4');
      expect(accepted.localPort).toBe(client.remotePort);
    } else {
      expect(accepted.remoteAddress).toBeUndefined();
      expect(accepted.remotePort).toBeUndefined();
    }
  });

  it('destroy() closes a refused connection: the client sees the end', async () => {
    const server = await bareServer(transport);
    const client = await server.connect();
    await eventually(() => server.accepted.length === 1);
    const ended = new Promise((resolve) => client.once('end', resolve));
    server.accepted[0]?.destroy();
    expect(server.accepted[0]?.destroyed).toBe(true);
    await ended;
  });

  for (const prefer of ['handle', 'socket'] as const) {
    it(`the ${prefer} ByteStream serves it`, async () => {
      const server = await bareServer(transport);
      const client = await server.connect();
      await eventually(() => server.accepted.length === 1);
      const collector = new Collector();
      const stream: ByteStream = byteStreamOf(
        server.accepted[0] as AcceptedHandle,
        collector,
        new Uint8Array(1024),
        prefer,
      );
      cleanups.push(() => stream.close());
      expect(stream.kind).toBe(prefer);
      if (transport === 'tcp') expect(stream.remote().port).toBe(client.localPort);
      else expect(stream.remote().family).toBe('unix');
      client.write('ping');
      client.end();
      await eventually(() => collector.ended);
      expect(collector.text).toBe('ping');
      const reply = new Promise<string>((resolve) => {
        let text = '';
        client.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        client.once('end', () => resolve(text));
      });
      stream.writeString('pong');
      stream.shutdown();
      expect(await reply).toBe('pong');
    });
  }
});

describe('acceptHandles', () => {
  it('refuses a server that is not listening, changing nothing', () => {
    const listener = net.createServer();
    const refusal = acceptHandles(listener, () => {});
    expect(refusal).toMatch(/not listening|stream_wrap/);
  });
});
