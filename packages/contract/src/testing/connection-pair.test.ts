import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, ConnectionResetError, ReadInProgressError } from '../errors.js';
import { DEFAULT_LIMITS } from '../limits.js';
import { connectionPair, testServerInfo } from './index.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const isReset = (error: unknown) => ConnectionResetError.isInstance(error);
const isClosed = (error: unknown) => ConnectionClosedError.isInstance(error);

describe('connectionPair', () => {
  it('carries bytes both ways, and says where each end is', async () => {
    const [server, client] = connectionPair();
    expect(server.local).toEqual(client.remote);
    expect(server.remote).toEqual(client.local);
    await client.sendall('hello');
    expect(text(await server.recv())).toBe('hello');
    const pending = client.recv();
    await server.sendall(new TextEncoder().encode('world'));
    expect(text(await pending)).toBe('world');
  });

  it('honours maxBytes and keeps the rest for the next recv', async () => {
    const [server, client] = connectionPair();
    await client.sendall('abcdef');
    expect(text(await server.recv(4))).toBe('abcd');
    expect(text(await server.recv(4))).toBe('ef');
  });

  it('rejects a second pending recv with ReadInProgressError; the first still delivers', async () => {
    const [server, client] = connectionPair();
    const first = server.recv();
    await expect(server.recv()).rejects.toSatisfy((e) => ReadInProgressError.isInstance(e));
    await client.sendall('x');
    expect(text(await first)).toBe('x');
  });

  it('half-close: FIN reads as end of stream after the queued bytes; the other way stays open', async () => {
    const [server, client] = connectionPair();
    await client.sendall('last');
    client.shutdownWrite();
    expect(client.writeShut).toBe(true);
    expect(text(await server.recv())).toBe('last');
    expect((await server.recv()).length).toBe(0);
    await server.sendall('reply');
    expect(text(await client.recv())).toBe('reply');
    await expect(client.sendall('more')).rejects.toSatisfy(isClosed);
  });

  it('close: the other end reads end of stream, and its sends are refused (reset)', async () => {
    const [server, client] = connectionPair();
    const waiting = client.recv();
    server.close();
    server.close();
    expect(server.closed).toBe(true);
    expect((await waiting).length).toBe(0);
    expect((await server.recv()).length).toBe(0);
    await expect(client.sendall('late')).rejects.toSatisfy(isReset);
  });

  it('reset: pending and later IO on the other end rejects with ConnectionResetError', async () => {
    const [server, client] = connectionPair();
    const waiting = server.recv();
    client.reset();
    await expect(waiting).rejects.toSatisfy(isReset);
    await expect(server.recv()).rejects.toSatisfy(isReset);
    await expect(server.sendall('x')).rejects.toSatisfy(isReset);
  });

  it('is bounded: sendall waits while the other end holds maxReceiveBuffer unread', async () => {
    const [server, client] = connectionPair({ limits: { maxReceiveBuffer: 8 } });
    let sent = false;
    const sending = server.sendall('0123456789').then(() => {
      sent = true;
    });
    await Promise.resolve();
    expect(sent).toBe(false);
    expect(client.pendingBytes).toBe(10);
    expect(text(await client.recv(4))).toBe('0123');
    await sending;
    expect(sent).toBe(true);
  });
});

describe('testServerInfo', () => {
  it('describes a test server with the default limits, overridable', () => {
    const info = testServerInfo();
    expect(info).toMatchObject({ model: 'test', mode: 'memory' });
    expect(info.address.port).toBe(8009);
    expect(info.limits).toBe(DEFAULT_LIMITS);
    const small = testServerInfo({ mode: 'tiny', limits: { maxLineLength: 16 } });
    expect(small.mode).toBe('tiny');
    expect(small.limits.maxLineLength).toBe(16);
    expect(small.limits.maxUnsentBytes).toBe(DEFAULT_LIMITS.maxUnsentBytes);
  });
});
