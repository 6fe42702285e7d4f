// Pins the user-buffer read path on accepted sockets (userBufferSocket) on
// the running Node (CI: 20 and 24): the accepted handle moves into a new
// net.Socket whose reads land in the caller's buffer.
import { once } from 'node:events';
import net from 'node:net';
import { UnsupportedRuntimeError } from '@iomodels/contract';
import { probeUserBufferSocket, type UserBufferRead, userBufferSocket } from '@iomodels/fd';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually, type SocketPair, socketPair } from './socket-pair.js';

let pair: SocketPair | undefined;
const extra: Array<net.Socket | net.Server> = [];
afterEach(() => {
  pair?.close();
  pair = undefined;
  for (const item of extra.splice(0)) {
    if (item instanceof net.Server) item.close();
    else item.destroy();
  }
});

/** Records every read: where it landed and what it held. */
function recorder(buffer: Uint8Array) {
  const reads: Array<{ into: Uint8Array; text: string }> = [];
  const onread: UserBufferRead = {
    buffer,
    callback: (n, into) => {
      reads.push({ into, text: Buffer.from(into.subarray(0, n)).toString() });
      return true;
    },
  };
  return { reads, onread, text: () => reads.map((r) => r.text).join('') };
}

describe('userBufferSocket: an accepted socket moved onto the user-buffer read path', () => {
  it('passes the end-to-end probe', async () => {
    await expect(probeUserBufferSocket()).resolves.toBeUndefined();
  });

  it('bytes land in the given buffer; no data events; addresses are preserved', async () => {
    pair = await socketPair();
    const before = {
      remote: [pair.server.remoteAddress, pair.server.remotePort, pair.server.remoteFamily],
      local: [pair.server.localAddress, pair.server.localPort, pair.server.localFamily],
    };
    const buffer = new Uint8Array(64);
    const { reads, onread, text } = recorder(buffer);
    const socket = userBufferSocket(pair.server, onread);
    extra.push(socket);
    let dataEvents = 0;
    socket.on('data', () => dataEvents++);
    expect([socket.remoteAddress, socket.remotePort, socket.remoteFamily]).toEqual(before.remote);
    expect([socket.localAddress, socket.localPort, socket.localFamily]).toEqual(before.local);
    expect(socket.remotePort).toBe(pair.client.localPort);

    pair.client.write('hello');
    await eventually(() => text() === 'hello');
    pair.client.write('world');
    await eventually(() => text() === 'helloworld');
    expect(reads.every((read) => read.into === buffer)).toBe(true);
    expect(dataEvents).toBe(0);
    expect(socket.bytesRead).toBe(10);
    // The old socket is spent: destroyed, no handle.
    expect(pair.server.destroyed).toBe(true);
  });

  it('a buffer function is asked for the next buffer after every read', async () => {
    pair = await socketPair();
    const buffers = [new Uint8Array(8), new Uint8Array(8), new Uint8Array(8)];
    let next = 0;
    const landed: Uint8Array[] = [];
    const socket = userBufferSocket(pair.server, {
      buffer: () => buffers[next++ % buffers.length]!,
      callback: (_n, into) => {
        landed.push(into);
        return true;
      },
    });
    extra.push(socket);
    for (const word of ['one', 'two', 'six']) {
      const count = landed.length;
      pair.client.write(word);
      await eventually(() => landed.length > count);
    }
    expect(landed.slice(0, 3)).toEqual([buffers[0], buffers[1], buffers[2]]);
    expect(landed[0]).toBe(buffers[0]);
    expect(landed[1]).toBe(buffers[1]);
  });

  it('end of stream, writes and FIN work both ways (half-open allowed as accepted)', async () => {
    const listener = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    extra.push(listener);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = once(listener, 'connection');
    const client = net.connect({
      port: (listener.address() as net.AddressInfo).port,
      host: '127.0.0.1',
      allowHalfOpen: true,
    });
    extra.push(client);
    const [old] = (await accepted) as [net.Socket];
    const { onread, text } = recorder(new Uint8Array(32));
    const socket = userBufferSocket(old, onread);
    extra.push(socket);
    expect(socket.allowHalfOpen).toBe(true);

    const ended = once(socket, 'end');
    client.end('last words');
    await ended;
    expect(text()).toBe('last words');
    // Half-open: still writable after the peer's FIN.
    const reply: Buffer[] = [];
    client.on('data', (chunk: Buffer) => reply.push(chunk));
    const clientEnded = once(client, 'end');
    const closed = once(socket, 'close');
    socket.end('bye');
    await clientEnded;
    expect(Buffer.concat(reply).toString()).toBe('bye');
    await closed;
  });

  it('the server still counts the connection: close() waits for the moved socket', async () => {
    const listener = net.createServer({ pauseOnConnect: true });
    extra.push(listener);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const accepted = once(listener, 'connection');
    const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
    client.on('error', () => {});
    extra.push(client);
    const [old] = (await accepted) as [net.Socket];
    const socket = userBufferSocket(old, recorder(new Uint8Array(8)).onread);
    socket.on('error', () => {});
    expect((socket as unknown as { server: net.Server }).server).toBe(listener);
    let closed = false;
    const closing = new Promise<void>((resolve) =>
      listener.close(() => {
        closed = true;
        resolve();
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    socket.destroy();
    await closing;
    expect(closed).toBe(true);
  });

  it('callback returning false stops reading; resume() starts again', async () => {
    pair = await socketPair();
    let calls = 0;
    let stop = true;
    const socket = userBufferSocket(pair.server, {
      buffer: new Uint8Array(4),
      callback: () => {
        calls++;
        return !stop;
      },
    });
    extra.push(socket);
    pair.client.write('abcdefgh');
    await eventually(() => calls === 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toBe(1);
    stop = false;
    socket.resume();
    await eventually(() => calls === 2);
  });

  it('a reset peer surfaces as an error on the moved socket', async () => {
    pair = await socketPair();
    const socket = userBufferSocket(pair.server, recorder(new Uint8Array(8)).onread);
    extra.push(socket);
    const failed = once(socket, 'error');
    pair.client.resetAndDestroy();
    const [error] = (await failed) as [NodeJS.ErrnoException];
    expect(error.code).toBe('ECONNRESET');
  });

  it('refuses a socket that has been read, and changes nothing', async () => {
    pair = await socketPair();
    pair.server.resume();
    pair.client.write('x');
    await once(pair.server, 'data');
    expect(() => userBufferSocket(pair!.server, recorder(new Uint8Array(8)).onread)).toThrow(
      TypeError,
    );
    expect(pair.server.destroyed).toBe(false);
    const echoed = once(pair.client, 'data');
    pair.server.write('still mine');
    expect(String((await echoed)[0])).toBe('still mine');
  });

  it('names the missing internal, and changes nothing, when the handle lacks useUserBuffer', async () => {
    pair = await socketPair();
    const real = (pair.server as unknown as { _handle: object })._handle;
    const stripped = Object.create(real, { useUserBuffer: { value: undefined } });
    (pair.server as unknown as { _handle: object })._handle = stripped;
    let error: unknown;
    try {
      userBufferSocket(pair.server, recorder(new Uint8Array(8)).onread);
    } catch (caught) {
      error = caught;
    }
    (pair.server as unknown as { _handle: object })._handle = real;
    expect(UnsupportedRuntimeError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/useUserBuffer/);
    expect(pair.server.destroyed).toBe(false);
  });
});
