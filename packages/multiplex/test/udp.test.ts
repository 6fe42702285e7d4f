// UDP on the Reactor: Twisted's listenUDP + DatagramProtocol (the seed's
// echo, datagram style), the contract's datagram suite on ReactorUDPServer,
// and the built bin's --listen udp:.
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBinUdp, describeDatagramConformance } from '@iomodels/conformance';
import type { Address } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { DatagramProtocol, Reactor, ReactorUDPServer } from '../src/index.js';

/** Sends `data` from a fresh socket to `port` and resolves with the first reply. */
async function exchange(port: number, data: string | Uint8Array): Promise<string> {
  const socket = dgram.createSocket('udp4');
  try {
    const reply = new Promise<string>((resolve) =>
      socket.once('message', (d) => resolve(String(d))),
    );
    socket.send(data, port, '127.0.0.1');
    return await reply;
  } finally {
    socket.close();
  }
}

/** Twisted's datagram Echo: `self.transport.write(data, addr)`. */
class Echo extends DatagramProtocol {
  readonly events: string[] = [];
  override startProtocol(): void {
    this.events.push('start');
  }
  override stopProtocol(): void {
    this.events.push('stop');
  }
  override datagramReceived(data: Buffer, addr: Address): void {
    this.transport.write(data, addr);
  }
}

describe('reactor.listenUDP', () => {
  const reactors: Reactor[] = [];
  afterEach(async () => {
    await Promise.all(reactors.splice(0).map((r) => r.stop()));
  });
  function newReactor(): Reactor {
    const reactor = new Reactor({ onError: () => {} });
    reactors.push(reactor);
    return reactor;
  }

  it("serves Twisted's datagram Echo: startProtocol, write(data, addr) to each sender, stopProtocol", async () => {
    const reactor = newReactor();
    const protocol = new Echo();
    const port = reactor.listenUDP(0, protocol);
    const { port: number } = await port.listening;
    expect(protocol.events).toEqual(['start']);
    expect(await exchange(number, 'hello')).toBe('hello');
    expect(await exchange(number, 'again')).toBe('again');
    await port.stopListening();
    expect(protocol.events).toEqual(['start', 'stop']);
    // The port is free once stopListening resolved.
    const again = reactor.listenUDP(number, new Echo());
    expect((await again.listening).port).toBe(number);
  });

  it('takes an endpoint string; drops and counts a datagram past maxPacketSize', async () => {
    const reactor = newReactor();
    const port = reactor.listenUDP('udp:0:interface=127.0.0.1', new Echo(), { maxPacketSize: 4 });
    const { port: number } = await port.listening;
    const socket = dgram.createSocket('udp4');
    socket.send(Buffer.alloc(5), number, '127.0.0.1');
    await expect.poll(() => port.oversized).toBe(1);
    socket.close();
    expect(await exchange(number, 'tiny')).toBe('tiny');
  });

  it('serves udp6: on ::1', async () => {
    const reactor = newReactor();
    const port = reactor.listenUDP('udp6:0', new Echo());
    const address = await port.listening;
    expect(address).toMatchObject({ host: '::1', family: 'IPv6' });
    const socket = dgram.createSocket('udp6');
    try {
      const reply = new Promise<string>((resolve) =>
        socket.once('message', (d) => resolve(String(d))),
      );
      socket.send('six', address.port, '::1');
      expect(await reply).toBe('six');
    } finally {
      socket.close();
    }
  });

  it('reactor.stop() stops its UDP ports', async () => {
    const reactor = newReactor();
    const protocol = new Echo();
    await reactor.listenUDP(0, protocol).listening;
    await reactor.stop();
    expect(protocol.events).toEqual(['start', 'stop']);
  });

  it('a port in use rejects listening with AddressInUseError', async () => {
    const reactor = newReactor();
    const first = await reactor.listenUDP(0, new Echo()).listening;
    const second = reactor.listenUDP(first.port, new Echo());
    await expect(second.listening).rejects.toMatchObject({
      code: 'ERR_IOMODELS_LISTEN_ADDRESS_IN_USE',
    });
  });
});

const reactor = new Reactor({ onError: () => {} });
describeDatagramConformance('multiplex/reactor', {
  async start(handler, options) {
    const server = new ReactorUDPServer(handler, { ...options, reactor });
    await server.listen();
    return server;
  },
});

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
describe.skipIf(!existsSync(bin))('iomodels-multiplex (built bin)', () => {
  describeBinUdp('reactor', { bin, label: 'multiplex/reactor' });
});
