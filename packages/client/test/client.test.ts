import net from 'node:net';
import {
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  IVR_GREETING,
  IVR_OPERATOR,
} from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../src/client.js';

const servers: net.Server[] = [];

/** A throwaway raw server: `onSocket` decides what the peer does. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => {}); // the tests reset and abandon peers on purpose
    onSocket(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

describe('connect / Client', () => {
  it('talks the seed dialogue with request()', async () => {
    const port = await rawServer((socket) => {
      socket.write(IVR_GREETING);
      socket.on('data', (data) => socket.write(data.toString() === '0' ? IVR_OPERATOR : '?'));
    });
    await using client = await connect({ port });
    expect(new TextDecoder().decode(await client.recv())).toBe(IVR_GREETING);
    expect(await client.request('0')).toBe(IVR_OPERATOR);
  });

  it('reads lines across chunk boundaries and the final unterminated one', async () => {
    const port = await rawServer((socket) => {
      socket.write('one\r\ntw');
      setImmediate(() => socket.end('o\nthree'));
    });
    const client = await connect({ port });
    const lines: string[] = [];
    for await (const line of client.lines()) lines.push(line);
    expect(lines).toEqual(['one', 'two', 'three']);
    await client.close();
  });

  it('rejects with ConnectionRefusedError when nothing listens', async () => {
    const port = await rawServer(() => {});
    servers.pop()?.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    const error = await connect({ port }).catch((e: unknown) => e);
    expect(ConnectionRefusedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`connection refused by 127.0.0.1:${port}`);
  });

  it('rejects recv with ConnectionTimeoutError when the server stays silent', async () => {
    const port = await rawServer(() => {});
    const client = await connect({ port, timeout: 100 });
    const error = await client.recv().catch((e: unknown) => e);
    expect(ConnectionTimeoutError.isInstance(error)).toBe(true);
    client.abort();
  });

  it('a timed-out recv loses no data for the next recv', async () => {
    let peer!: net.Socket;
    const port = await rawServer((socket) => {
      peer = socket;
    });
    const client = await connect({ port, timeout: 100 });
    await client.recv().catch(() => {});
    peer.write('late');
    expect(new TextDecoder().decode(await client.recv())).toBe('late');
    client.abort();
  });

  it('rejects recv with ConnectionResetError when the server resets', async () => {
    const port = await rawServer((socket) => socket.on('data', () => socket.resetAndDestroy()));
    const client = await connect({ port });
    await client.sendall('hello?');
    const error = await client.recv().catch((e: unknown) => e);
    expect(ConnectionResetError.isInstance(error)).toBe(true);
  });

  it('returns empty from recv once the server has closed', async () => {
    const port = await rawServer((socket) => socket.end('bye'));
    const client = await connect({ port });
    expect(new TextDecoder().decode(await client.recv())).toBe('bye');
    expect((await client.recv()).length).toBe(0);
  });
});
