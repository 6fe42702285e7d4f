// UDP on the Proactor: recvFrom/sendTo as posted operations, the contract's
// datagram suite on ProactorUDPServer, and the built bin's --listen udp:.
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBinUdp, describeDatagramConformance } from '@iomodels/conformance';
import { ConnectionClosedError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { AsyncDatagramSocket, type Datagram, ProactorUDPServer } from '../src/index.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('AsyncDatagramSocket', () => {
  const open: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  async function pair(options = {}) {
    const server = await AsyncDatagramSocket.bind('udp:0:interface=127.0.0.1', options);
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    open.push(server, { close: () => peer.close() });
    const send = (data: string | Uint8Array) =>
      new Promise<void>((resolve) =>
        peer.send(data, server.address.port, '127.0.0.1', () => resolve()),
      );
    return { server, peer, send };
  }

  it('a posted recvFrom completes with the datagram and its sender; sendTo answers it', async () => {
    const { server, peer, send } = await pair();
    const received = server.recvFrom();
    await send('ping');
    const { data, address } = await received;
    expect(text(data)).toBe('ping');
    expect(address).toMatchObject({ host: '127.0.0.1', port: peer.address().port });
    const reply = new Promise<string>((resolve) => peer.once('message', (d) => resolve(String(d))));
    expect(await server.sendTo('pong', address)).toBe(4);
    expect(await reply).toBe('pong');
  });

  it('several posted receives complete in the order posted, one datagram each; the callback form too', async () => {
    const { server, send } = await pair();
    const first = server.recvFrom();
    const second = new Promise<Datagram>((resolve, reject) =>
      server.recvFrom((error, datagram) => (error ? reject(error) : resolve(datagram!))),
    );
    await send('a');
    await send('b');
    expect([text((await first).data), text((await second).data)]).toEqual(['a', 'b']);
  });

  it('a cancelled receive takes no datagram: the next one gets it', async () => {
    const { server, send } = await pair();
    const controller = new AbortController();
    const cancelled = server.recvFrom({ signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(cancelled).rejects.toThrow('changed my mind');
    await send('kept');
    expect(text((await server.recvFrom()).data)).toBe('kept');
  });

  it('bounds what waits for a receive, and drops oversized datagrams, counting both', async () => {
    const { server, send } = await pair({ maxQueued: 2, maxPacketSize: 4 });
    for (const data of ['1', '2', '3', '12345']) await send(data);
    await expect.poll(() => server.stats().received).toBe(4);
    expect(server.stats()).toEqual({ received: 4, dropped: 1, oversized: 1, queued: 2 });
    expect(text((await server.recvFrom()).data)).toBe('1');
    expect(text((await server.recvFrom()).data)).toBe('2');
  });

  it('close fails the posted receives with ConnectionClosedError and frees the port', async () => {
    const { server } = await pair();
    const pending = server.recvFrom().catch((e: unknown) => e);
    await server.close();
    expect(ConnectionClosedError.isInstance(await pending)).toBe(true);
    const again = await AsyncDatagramSocket.bind(server.address.port);
    open.push(again);
    expect(again.address.port).toBe(server.address.port);
  });
});

describeDatagramConformance('async/proactor', {
  async start(handler, options) {
    const server = new ProactorUDPServer(handler, options);
    await server.listen();
    return server;
  },
});

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
describe.skipIf(!existsSync(bin))('iomodels-async (built bin)', () => {
  describeBinUdp('proactor', { bin, label: 'async/proactor' });

  it('refuses --backend uring with a udp: endpoint: one line, exit 2', () => {
    const run = spawnSync(process.execPath, [bin, '--backend', 'uring', '--listen', 'udp:0'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('iomodels-async: --backend uring serves tcp: only, not udp:\n');
  });
});
