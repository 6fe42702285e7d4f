// The worker-hosted stand-in proven on the reference server: the whole suite
// passes against a ReferenceTCPServer running in a worker thread, and the
// stand-in's own surface behaves as documented.

import { connect } from '@iomodels/client';
import { AddressInUseError, BaseServer, UnknownHandlerError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { describeConformance } from '../src/describe-conformance.js';
import { recvText, recvUntilClosed, waitFor } from '../src/wire.js';
import { startInWorker, type WorkerHostedServer } from '../src/worker-hosted-server.js';

/** Built: a worker cannot load TypeScript. */
const reference = {
  module: new URL('../dist/reference-server.js', import.meta.url),
  export: 'ReferenceTCPServer',
};

describeConformance('reference server in a worker thread', {
  start: (handler, options) => startInWorker(reference, handler, options),
});

describe('startInWorker', () => {
  const servers: WorkerHostedServer[] = [];
  const quiet = { host: '127.0.0.1', port: 0, log: () => {} };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 500 })));
  });

  async function start(options = {}): Promise<WorkerHostedServer> {
    const server = await startInWorker(reference, 'ivr', { ...quiet, ...options });
    servers.push(server);
    return server;
  }

  it('is a BaseServer whose data comes from the worker', async () => {
    const server = await start();
    expect(server).toBeInstanceOf(BaseServer);
    expect(server.model).toBe('reference');
    expect(server.mode).toBe('stream');
    expect(server.address.port).toBeGreaterThan(0);
    expect(await server.listen()).toEqual(server.address);
    expect(server.describe()).toMatchObject({
      model: 'reference',
      address: `127.0.0.1:${server.address.port}`,
    });
    expect(server.stats()).toEqual({
      accepted: 0,
      active: 0,
      completed: 0,
      failed: 0,
      timedOut: 0,
      refused: 0,
      proxyRefused: 0,
    });
  });

  it('counts in shared memory and restores the server’s own verifyRequest', async () => {
    const server = await start();
    server.verifyRequest = () => false;
    const refused = await connect({ ...server.address, timeout: 5000 });
    expect((await recvUntilClosed(refused)).data.length).toBe(0);
    expect(server.stats()).toMatchObject({ accepted: 1, refused: 1 });
    server.verifyRequest = BaseServer.prototype.verifyRequest;
    const client = await connect({ ...server.address, timeout: 5000 });
    await recvText(client, '欢迎');
    await waitFor(() => server.stats().active === 1, 'the request to be counted active');
    await client.sendall('exit');
    await recvUntilClosed(client);
    await waitFor(() => server.stats().completed === 1, 'the request to complete');
  });

  it('serves one request through handleRequest and resolves serveForever on close', async () => {
    const server = await start();
    const outcome = server.handleRequest();
    // The worker takes the handleRequest message no later than during the
    // first dialogue: the outcome is the first's or the second's.
    for (let i = 0; i < 2; i++) {
      const client = await connect({ ...server.address, timeout: 5000 });
      await recvText(client, '欢迎');
      await client.sendall('exit');
      await recvUntilClosed(client);
    }
    expect(await outcome).toBe('completed');
    const served = server.serveForever();
    const report = await server.close();
    expect(await served).toBe(report);
    await expect(server.listen()).rejects.toThrow('closed');
  });

  it('passes listen errors through with their code', async () => {
    const first = await start();
    const error = await start({ port: first.address.port }).catch((e: unknown) => e);
    expect(AddressInUseError.isInstance(error)).toBe(true);
  });

  it('rejects what cannot cross to a worker', async () => {
    class Local extends BaseServer {
      model = 'x';
      mode = 'y';
      processRequest(): never {
        throw new Error('unused');
      }
      describeModel(): never {
        throw new Error('unused');
      }
    }
    await expect(startInWorker(reference, Local as never, quiet)).rejects.toSatisfy((e) =>
      UnknownHandlerError.isInstance(e),
    );
    await expect(startInWorker({ ...reference, export: 'Nope' }, 'ivr', quiet)).rejects.toThrow(
      'no server class "Nope"',
    );
  });
});
