// ReactorTCPServer specifics on top of the conformance suite: idle timeout,
// describe(), bounded receive queue.
import { BaseRequestHandler, EchoHandler } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { Reactor, ReactorTCPServer } from '../src/index.js';
import { connectClient, readAll, until } from './helpers.js';

const reactor = new Reactor();
const servers: ReactorTCPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 0 })));
});

async function start(handler: typeof EchoHandler, options = {}) {
  const server = new ReactorTCPServer(handler, {
    host: '127.0.0.1',
    port: 0,
    reactor,
    log: () => {},
    ...options,
  });
  servers.push(server);
  await server.listen();
  return server;
}

describe('ReactorTCPServer', () => {
  it('describes itself as the multiplex/reactor model over libuv', async () => {
    const server = await start(EchoHandler);
    const description = server.describe();
    expect(description.model).toBe('multiplex');
    expect(description.mode).toBe('reactor');
    expect(description.notes.join(' ')).toMatch(/libuv/);
  });

  it('closes a connection idle for idleTimeout; the request counts as timedOut', async () => {
    const server = await start(EchoHandler, { idleTimeout: 100 });
    const client = await connectClient(server.address.port);
    const done = readAll(client);
    client.write('still here');
    const { data } = await done; // ends because the server closed it
    expect(data.toString()).toBe('still here');
    await until(() => server.stats().timedOut === 1);
    expect(server.stats()).toMatchObject({ completed: 0, failed: 0 });
  });

  it('stops reading while the handler does not, and loses nothing', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let received = 0;
    class Slow extends BaseRequestHandler {
      override async handle(): Promise<void> {
        await released;
        for (;;) {
          const data = await this.request.recv();
          if (data.length === 0) break;
          received += data.length;
        }
        await this.request.sendall(String(received));
      }
    }
    const server = await start(Slow as unknown as typeof EchoHandler, {
      limits: { maxReceiveBuffer: 64 * 1024 },
    });
    const client = await connectClient(server.address.port);
    const done = readAll(client);
    const total = 8 * 1024 * 1024;
    const block = Buffer.alloc(256 * 1024);
    let written = 0;
    // Write until the socket pushes back: the server stopped reading long before `total`.
    let pushedBack = false;
    while (written < total && !pushedBack) {
      pushedBack = !client.write(block);
      written += block.length;
    }
    expect(written).toBeLessThan(total);
    release();
    while (written < total) {
      await new Promise((resolve) => client.once('drain', resolve));
      while (written < total && client.write(block)) written += block.length;
      if (written < total) written += block.length; // the write that returned false was queued
    }
    client.end();
    expect((await done).data.toString()).toBe(String(total));
  });
});
