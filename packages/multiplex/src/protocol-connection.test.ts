import {
  DEFAULT_LIMITS,
  IdleTimeoutError,
  ReadInProgressError,
  resolveLimits,
} from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import { ConnectionDone, ConnectionLost } from './errors.js';
import { ProtocolConnection } from './protocol-connection.js';
import { StringTransport } from './testing/string-transport.js';

function connected(limits = DEFAULT_LIMITS) {
  const connection = new ProtocolConnection(limits);
  const transport = new StringTransport();
  connection.makeConnection(transport);
  return { connection, transport };
}

describe('ProtocolConnection', () => {
  it('registers as a streaming producer and knows both addresses', () => {
    const { connection, transport } = connected();
    expect(transport.producer).toBe(connection);
    expect(transport.streaming).toBe(true);
    expect(connection.remote).toEqual(transport.getPeer());
  });

  it('recv returns queued data at once, splits at maxBytes, and waits when empty', async () => {
    const { connection } = connected();
    connection.dataReceived(Buffer.from('hello'));
    expect(Buffer.from(connection.recv(2) as Uint8Array).toString()).toBe('he');
    expect(Buffer.from(connection.recv() as Uint8Array).toString()).toBe('llo');
    const pending = connection.recv();
    expect(pending).toBeInstanceOf(Promise);
    connection.dataReceived(Buffer.from('later'));
    expect(Buffer.from(await pending).toString()).toBe('later');
  });

  it('a second recv while one is pending rejects with ReadInProgressError; the first still delivers', async () => {
    const { connection } = connected();
    const first = connection.recv();
    await expect(connection.recv()).rejects.toSatisfy((e) => ReadInProgressError.isInstance(e));
    connection.dataReceived(Buffer.from('x'));
    expect(Buffer.from(await first).toString()).toBe('x');
  });

  it('idleTimedOut: the pending and every later recv rejects with the IdleTimeoutError', async () => {
    const { connection } = connected();
    const pending = connection.recv();
    const error = new IdleTimeoutError(100);
    connection.idleTimedOut(error);
    await expect(pending).rejects.toBe(error);
    expect(() => connection.recv()).toThrow(error);
  });

  it('pauses the transport when the receive queue reaches maxReceiveBuffer and resumes as it drains', () => {
    const { connection, transport } = connected(resolveLimits({ maxReceiveBuffer: 8 }));
    connection.dataReceived(Buffer.from('1234'));
    expect(transport.producerState).toBe('producing');
    connection.dataReceived(Buffer.from('5678'));
    expect(transport.producerState).toBe('paused');
    connection.recv(2);
    connection.recv(2); // 4 of 8 left: not yet below half
    expect(transport.producerState).toBe('paused');
    connection.recv();
    expect(transport.producerState).toBe('producing');
  });

  it('sendall writes through; while paused by the transport it waits for resumeProducing', async () => {
    const { connection, transport } = connected();
    expect(connection.sendall('abc')).toBeUndefined();
    connection.pauseProducing();
    let sent = false;
    const waiting = Promise.resolve(connection.sendall(new Uint8Array([100]))).then(() => {
      sent = true;
    });
    await Promise.resolve();
    expect(sent).toBe(false);
    connection.resumeProducing();
    await waiting;
    expect(transport.value().toString()).toBe('abcd');
  });

  it('half-close: recv returns empty after readConnectionLost; shutdownWrite half-closes', async () => {
    const { connection, transport } = connected();
    const pending = connection.recv();
    connection.readConnectionLost();
    expect((await pending).length).toBe(0);
    connection.shutdownWrite();
    expect(transport.writeDisconnected).toBe(true);
  });

  it('a clean close ends the stream; an unclean one is an error for recv and sendall', async () => {
    const clean = connected();
    clean.connection.connectionLost(new ConnectionDone('done'));
    expect((clean.connection.recv() as Uint8Array).length).toBe(0);
    const lost = connected();
    const pending = lost.connection.recv();
    lost.connection.connectionLost(new ConnectionLost('gone'));
    await expect(pending).rejects.toBeInstanceOf(ConnectionLost);
    expect(() => lost.connection.sendall('x')).toThrow(ConnectionLost);
    expect(await lost.connection.lost).toBeInstanceOf(ConnectionLost);
  });

  it('close unregisters the producer and loses the connection', () => {
    const { connection, transport } = connected();
    connection.close();
    expect(transport.producer).toBeUndefined();
    expect(transport.disconnecting).toBe(true);
  });
});
