// Proactor: accept, connect, close — Promise and callback forms.
import net from 'node:net';
import {
  AddressInUseError,
  ConnectionClosedError,
  ConnectionRefusedError,
} from '@iomodels/contract';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type AsyncSocket, Proactor } from '../src/index.js';

describe('Proactor', () => {
  const proactors: Proactor[] = [];
  const make = () => {
    const proactor = new Proactor();
    proactors.push(proactor);
    return proactor;
  };
  afterEach(async () => {
    await Promise.all(proactors.splice(0).map((p) => p.close()));
  });

  it('accept and connect meet; both ends talk through posted operations', async () => {
    const proactor = make();
    const acceptor = await proactor.listen({ port: 0 });
    const accepting = proactor.accept(acceptor);
    const client = await proactor.connect({ port: acceptor.address.port });
    const server = await accepting;
    expect(client.readPath).toBe('native');
    expect(server.readPath).toBe('native');
    expect(server.remote.port).toBe(client.local.port);
    await client.write('ping\n');
    expect(await server.readLine()).toBe('ping');
    await proactor.write(server, 'pong');
    const buffer = new Uint8Array(4);
    expect(await proactor.read(client, buffer)).toBe(4);
    expect(Buffer.from(buffer).toString()).toBe('pong');
    expect(proactor.openSockets).toBe(2);
  });

  it('callback forms: accept, connect, read, write', async () => {
    const proactor = make();
    const acceptor = await proactor.listen({ port: 0 });
    const accepted = new Promise<AsyncSocket>((resolve, reject) =>
      proactor.accept(acceptor, (error, socket) => (error ? reject(error) : resolve(socket!))),
    );
    const client = await new Promise<AsyncSocket>((resolve, reject) =>
      proactor.connect({ port: acceptor.address.port }, {}, (error, socket) =>
        error ? reject(error) : resolve(socket!),
      ),
    );
    const server = await accepted;
    const wrote = await new Promise<number>((resolve, reject) =>
      proactor.write(client, 'abc', (error, n) => (error ? reject(error) : resolve(n!))),
    );
    expect(wrote).toBe(3);
    const buffer = new Uint8Array(3);
    const read = await new Promise<number>((resolve, reject) =>
      proactor.read(server, buffer, {}, (error, n) => (error ? reject(error) : resolve(n!))),
    );
    expect(read).toBe(3);
    expect(Buffer.from(buffer).toString()).toBe('abc');
  });

  it('a socket that cannot move onto the native path (already read) falls back to emulated, losing nothing', async () => {
    const proactor = make();
    const server = net.createServer({ allowHalfOpen: true }); // no pauseOnConnect: libuv reads at once
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
      const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      peer.on('error', () => {});
      const raw = await accepted;
      peer.write('still ');
      await vi.waitFor(() => expect(raw.readableLength).toBeGreaterThan(0));
      const socket = proactor.adoptAccepted(raw);
      expect(socket.readPath).toBe('emulated');
      peer.end('works\n');
      expect(await socket.readLine()).toBe('still works');
      await socket.write('yes');
      peer.destroy();
    } finally {
      await proactor.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('connections that arrive before an accept is posted wait for it', async () => {
    const proactor = make();
    const acceptor = await proactor.listen({ port: 0 });
    const peers = [0, 1, 2].map(() => net.connect(acceptor.address.port, '127.0.0.1'));
    await Promise.all(peers.map((p) => new Promise((resolve) => p.once('connect', resolve))));
    peers[0]!.write('first');
    const sockets = [await acceptor.accept(), await acceptor.accept(), await acceptor.accept()];
    expect(new Set(sockets.map((s) => s.remote.port)).size).toBe(3);
    for (const peer of peers) peer.destroy();
    for (const socket of sockets) socket.abort();
  });

  it('connect to a closed port fails with ConnectionRefusedError', async () => {
    const proactor = make();
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(proactor.connect({ port })).rejects.toSatisfy((e) =>
      ConnectionRefusedError.isInstance(e),
    );
  });

  it('listen on a port in use fails with AddressInUseError', async () => {
    const proactor = make();
    const first = await proactor.listen({ port: 0 });
    await expect(proactor.listen({ port: first.address.port })).rejects.toSatisfy((e) =>
      AddressInUseError.isInstance(e),
    );
  });

  it('accept and connect are cancellable', async () => {
    const proactor = make();
    const acceptor = await proactor.listen({ port: 0 });
    const controller = new AbortController();
    const accepting = proactor.accept(acceptor, { signal: controller.signal });
    controller.abort();
    await expect(accepting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(
      proactor.connect({ port: acceptor.address.port }, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('close() completes every pending operation: accepts, reads, writes', async () => {
    const proactor = new Proactor();
    const acceptor = await proactor.listen({ port: 0 });
    const peer = net.connect(acceptor.address.port, '127.0.0.1');
    peer.on('error', () => {});
    peer.pause();
    const server = await proactor.accept(acceptor);
    const reading = server.readExactly(10);
    const writing = server.write(Buffer.alloc(32 * 1024 * 1024));
    const accepting = acceptor.accept();
    await proactor.close();
    await expect(reading).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(writing).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(accepting).rejects.toBeInstanceOf(ConnectionClosedError);
    peer.destroy();
  });
});
