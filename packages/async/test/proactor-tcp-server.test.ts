// ProactorTCPServer beyond the conformance suite: its own options and bounds.
import { once } from 'node:events';
import net from 'node:net';
import { BaseRequestHandler, type PendingRequest, SendStalledError } from '@iomodels/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ProactorConnection, ProactorTCPServer } from '../src/index.js';
import { collect } from './helpers.js';

const servers: ProactorTCPServer[] = [];
async function start(handler: ConstructorParameters<typeof ProactorTCPServer>[0], options = {}) {
  const server = new ProactorTCPServer(handler, { port: 0, log: () => {}, ...options });
  servers.push(server);
  await server.listen();
  return server;
}
function dial(server: ProactorTCPServer): net.Socket {
  const socket = net.connect(server.address.port, '127.0.0.1');
  socket.on('error', () => {});
  return socket;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeout: 200 })));
});

/** Sends 12 MiB in one sendall, then closes. */
class FloodHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    await this.request.sendall(new Uint8Array(12 * 1024 * 1024).fill(0x5a));
  }
}

describe('ProactorTCPServer', () => {
  it('describes itself as emulated completion over the readiness demultiplexer', async () => {
    const server = await start('echo');
    const description = server.describe();
    expect(description).toMatchObject({ model: 'async', mode: 'proactor', completion: 'emulated' });
    expect(description.notes.join(' ')).toContain('onread');
  });

  it('verifyRequest sees both addresses of the pending connection', async () => {
    const server = await start('echo', { host: '127.0.0.1' });
    const seen = new Promise<PendingRequest>((resolve) => {
      server.verifyRequest = (request) => {
        resolve({ remote: request.remote, local: request.local });
        return false;
      };
    });
    const socket = dial(server);
    await once(socket, 'connect');
    const request = await seen;
    expect(request.local).toMatchObject({ host: '127.0.0.1', port: server.address.port });
    expect(request.remote).toMatchObject({ host: '127.0.0.1', port: socket.localPort });
    socket.destroy();
  });

  it('accepted connections take the native read path, and describe() says so', async () => {
    let readPath: string | undefined;
    class PathHandler extends BaseRequestHandler {
      override async handle(): Promise<void> {
        readPath = (this.request as ProactorConnection).readPath;
        const data = await this.request.recv();
        await this.request.sendall(data);
      }
    }
    const server = await start(PathHandler);
    expect(server.describe().notes.join(' ')).toMatch(/read path "native"/);
    const peer = dial(server);
    const reply = once(peer, 'data');
    peer.write('ping');
    expect(String((await reply)[0])).toBe('ping');
    expect(readPath).toBe('native');
    peer.end();
  });

  it('a sendall larger than maxUnsentBytes arrives whole, in order', async () => {
    const server = await start(FloodHandler, { limits: { maxUnsentBytes: 100_000 } });
    const data = await collect(dial(server));
    expect(data.length).toBe(12 * 1024 * 1024);
    expect(data.every((byte) => byte === 0x5a)).toBe(true);
  });

  it('a peer that reads nothing is reset after sendStallTimeout with SendStalledError', async () => {
    const server = await start(FloodHandler, {
      limits: { maxUnsentBytes: 65_536, sendStallTimeout: 100 },
    });
    const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
    const peer = dial(server);
    peer.pause(); // never reads
    await vi.waitFor(() => expect(handleError).toHaveBeenCalled(), { timeout: 20_000 });
    expect(SendStalledError.isInstance(handleError.mock.calls[0]![0])).toBe(true);
    peer.destroy();
  });

  it("a handler waiting in recv when the server's shutdown aborts it sees end of stream, not an error", async () => {
    const server = await start('echo');
    const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
    // A peer that ignores our FIN: the shutdown sequence has to abort it.
    const peer = net.connect({ port: server.address.port, host: '127.0.0.1', allowHalfOpen: true });
    peer.on('error', () => {});
    await once(peer, 'connect');
    const echoed = once(peer, 'data');
    peer.write('ping');
    await echoed;
    const report = await server.close({ timeout: 20 });
    expect(report.aborted).toBe(1);
    expect(server.stats()).toMatchObject({ completed: 1, failed: 0 });
    expect(handleError).not.toHaveBeenCalled();
    peer.destroy();
  });

  it('idleTimeout ends a silent connection as timedOut (FIN), not as a failure', async () => {
    const server = await start('echo', { idleTimeout: 50 });
    const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
    const peer = dial(server);
    peer.resume();
    await new Promise((resolve) => peer.once('end', resolve));
    peer.end();
    await vi.waitFor(() => expect(server.stats().timedOut).toBe(1));
    expect(server.stats().failed).toBe(0);
    expect(handleError).not.toHaveBeenCalled();
  });
});
