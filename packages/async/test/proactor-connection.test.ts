// ProactorConnection: the portable Connection over an AsyncSocket.
import { ConnectionClosedError, ConnectionResetError, resolveLimits } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { ProactorConnection } from '../src/index.js';
import { type Pair, pairKinds } from './helpers.js';

describe.each(pairKinds)('ProactorConnection, %s', (_name, makePair) => {
  let pair: Pair;
  afterEach(async () => {
    await pair?.close();
  });

  it('recv returns what arrived, in chunks the handler owns; sendall reaches the peer', async () => {
    pair = await makePair();
    const connection = new ProactorConnection(pair.socket, resolveLimits());
    expect(connection.remote).toEqual(pair.socket.remote);
    expect(connection.local).toEqual(pair.socket.local);
    expect(connection.local.port).toBeGreaterThan(0);
    pair.peer.write('first');
    const first = await connection.recv();
    pair.peer.write('second');
    const second = await connection.recv();
    expect(Buffer.from(first).toString()).toBe('first');
    expect(Buffer.from(second).toString()).toBe('second');
    const echoed = new Promise<Buffer>((resolve) => pair.peer.once('data', resolve));
    await connection.sendall(first);
    expect((await echoed).toString()).toBe('first');
  });

  it("after this side's abort, recv answers end of stream (as SocketConnection); sendall fails", async () => {
    pair = await makePair();
    const connection = new ProactorConnection(pair.socket, resolveLimits());
    const pending = connection.recv();
    pair.socket.abort();
    expect((await pending).length).toBe(0);
    expect((await connection.recv()).length).toBe(0);
    await expect(connection.sendall('x')).rejects.toBeInstanceOf(ConnectionClosedError);
  });

  it("after this side's close, recv answers end of stream", async () => {
    pair = await makePair();
    const connection = new ProactorConnection(pair.socket, resolveLimits());
    const pending = connection.recv();
    connection.close();
    expect((await pending).length).toBe(0);
    expect((await connection.recv()).length).toBe(0);
  });

  it("the peer's reset is still an error for recv", async () => {
    pair = await makePair();
    const connection = new ProactorConnection(pair.socket, resolveLimits());
    const pending = Promise.resolve(connection.recv());
    pair.peer.resetAndDestroy();
    await expect(pending).rejects.toSatisfy((e) => ConnectionResetError.isInstance(e));
  });
});
