// BaseServer's lifecycle and the contract's bounds, on the reference server
// (the contract package cannot depend on this one, so they are tested here).
import net from 'node:net';
import { connect } from '@iomodels/client';
import {
  BaseRequestHandler,
  ConnectionResetError,
  SendStalledError,
  ServerClosedError,
  UsageError,
} from '@iomodels/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReferenceTCPServer } from '../src/reference-server.js';
import { recvText, waitFor } from '../src/wire.js';

const servers: ReferenceTCPServer[] = [];

async function serve(...args: ConstructorParameters<typeof ReferenceTCPServer>) {
  const server = new ReferenceTCPServer(args[0], {
    host: '127.0.0.1',
    port: 0,
    log: () => {},
    ...args[1],
  });
  servers.push(server);
  await server.listen();
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 100 })));
});

/** Answers `ready`, then waits for the shutdown signal and says goodbye. */
class WaitsForSignal extends BaseRequestHandler {
  override async handle() {
    await this.request.sendall('ready');
    await new Promise((resolve) => this.signal.addEventListener('abort', resolve, { once: true }));
    await this.request.sendall('bye');
  }
}

describe('BaseServer', () => {
  it('handleRequest serves exactly one request and resolves with its outcome', async () => {
    const server = await serve('echo');
    const handled = server.handleRequest();
    const client = await connect({ port: server.address.port });
    await client.sendall('x');
    expect(await recvText(client, 'x')).toBe('x');
    client.shutdownWrite();
    expect(await handled).toBe('completed');
  });

  it('serveForever resolves with the shutdown report once closed', async () => {
    const server = new ReferenceTCPServer('ivr', { host: '127.0.0.1', port: 0 });
    const serving = server.serveForever();
    await server.listen();
    await server.close();
    expect(await serving).toEqual({ completed: 0, interrupted: 0, aborted: 0, abandoned: 0 });
  });

  it('fires the handler signal on close, so a handler can finish within the grace period', async () => {
    const server = await serve(WaitsForSignal);
    const client = await connect({ port: server.address.port });
    expect(await recvText(client, 'ready')).toBe('ready');
    const report = await server.close({ timeout: 10_000 });
    expect(report).toEqual({ completed: 1, interrupted: 0, aborted: 0, abandoned: 0 });
    expect(await recvText(client, 'bye')).toBe('bye');
  });

  it('resets what neither the signal nor FIN ended', async () => {
    const server = await serve('ivr');
    // a raw peer that ignores FIN (allowHalfOpen) keeps the handler waiting in recv
    const peer = net.connect({ port: server.address.port, allowHalfOpen: true });
    const failed = new Promise<NodeJS.ErrnoException>((resolve) => peer.on('error', resolve));
    await new Promise((resolve) => peer.once('data', resolve));
    const report = await server.close({ timeout: 0 });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 1, abandoned: 0 });
    peer.write('still there?'); // the reset shows on the peer's next write
    expect(['ECONNRESET', 'EPIPE']).toContain((await failed).code);
  });

  it('listen is idempotent and refuses after close', async () => {
    const server = await serve('ivr');
    expect(await server.listen()).toBe(server.address);
    await server.close();
    await expect(server.listen()).rejects.toSatisfy((e) => ServerClosedError.isInstance(e));
  });

  it('describes itself honestly', async () => {
    const server = await serve('ivr');
    const description = server.describe();
    expect(description).toMatchObject({
      model: 'reference',
      mode: 'stream',
      address: `127.0.0.1:${server.address.port}`,
      demultiplexer: process.platform === 'linux' ? 'epoll' : expect.any(String),
      completion: 'none',
    });
    expect(description.limits.maxUnsentBytes).toBe(1024 * 1024);
  });

  it('rejects nonsense options with UsageError', () => {
    expect(() => new ReferenceTCPServer('ivr', { port: -1 })).toThrow(UsageError);
    expect(() => new ReferenceTCPServer('ivr', { reuseAddress: false })).toThrow(/SO_REUSEADDR/);
    expect(() => new ReferenceTCPServer('ivr', { maxConnections: 0 })).toThrow(UsageError);
  });

  it('closes with Symbol.asyncDispose', async () => {
    let port: number;
    {
      await using server = await serve('ivr');
      port = server.address.port;
    }
    await expect(connect({ port, timeout: 2000 })).rejects.toThrow(/refused/);
  });
});

describe('the hard output cap', () => {
  it('aborts a connection whose peer reads nothing, holding at most the cap in user space', async () => {
    const cap = 64 * 1024;
    let peakUnsent = 0;
    class Flood extends BaseRequestHandler {
      override async handle() {
        const chunk = new Uint8Array(256 * 1024);
        for (let i = 0; i < 512; i++) await this.request.sendall(chunk); // 128 MiB: more than any socket buffer
      }
    }
    const server = await serve(Flood, {
      limits: { maxUnsentBytes: cap, sendStallTimeout: 300 },
    });
    const errors: unknown[] = [];
    server.handleError = (error) => {
      errors.push(error);
    };
    const write = net.Socket.prototype.write;
    const spy = vi.spyOn(net.Socket.prototype, 'write').mockImplementation(function (
      this: net.Socket,
      ...args: Parameters<typeof write>
    ) {
      const result = write.apply(this, args);
      peakUnsent = Math.max(peakUnsent, this.writableLength);
      return result;
    });
    const peer = net.connect({ port: server.address.port });
    peer.on('error', () => {});
    peer.pause(); // never reads
    await waitFor(() => errors.length > 0, 'the stalled send to be aborted', 20_000);
    spy.mockRestore();
    expect(SendStalledError.isInstance(errors[0])).toBe(true);
    expect(peakUnsent).toBeLessThanOrEqual(2 * cap);
    peer.destroy();
  });

  it('logs a peer error in one line without a stack, a handler bug with its stack', async () => {
    const lines: string[] = [];
    class Fails extends BaseRequestHandler {
      override async handle() {
        const message = new TextDecoder().decode(await this.request.recv());
        throw message === 'reset'
          ? new ConnectionResetError('connection reset by peer')
          : new TypeError('a bug');
      }
    }
    const server = await serve(Fails, { log: (line) => lines.push(line) });
    for (const message of ['reset', 'bug']) {
      const client = await connect({ port: server.address.port });
      await client.sendall(message);
      await waitFor(
        () => lines.length > (message === 'reset' ? 0 : 1),
        'the error to be logged',
        20_000,
      );
      client.close();
    }
    expect(lines[0]).toMatch(
      /^error while handling request from 127\.0\.0\.1:\d+: connection reset by peer \(ERR_IOMODELS_CONNECTION_RESET\)$/,
    );
    expect(lines[1]).toContain('TypeError: a bug\n    at ');
  });
});
