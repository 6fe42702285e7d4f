// Outgoing connections: connectTCP, ClientFactory events, reconnecting, stopListening,
// adoptStreamConnection, callLater.
import { once } from 'node:events';
import net from 'node:net';
import { ConnectionRefusedError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClientFactory,
  ConnectionDone,
  type Connector,
  Protocol,
  Reactor,
  ReconnectingClientFactory,
  ServerFactory,
  type TCPTransport,
} from '../src/index.js';
import { Clock } from '../src/testing/index.js';
import { until } from './helpers.js';

const reactor = new Reactor();
afterEach(() => reactor.stop());

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

async function echoServer(): Promise<number> {
  const factory = new ServerFactory();
  factory.protocol = Echo;
  return (await reactor.listenTCP(0, factory).listening).port;
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const port = reactor.listenTCP(0, new ServerFactory());
  const { port: number } = await port.listening;
  await port.stopListening();
  return number;
}

describe('connectTCP', () => {
  it('connects a client protocol that talks to a server and hears the connection end', async () => {
    const port = await echoServer();
    const events: string[] = [];
    class Greeter extends Protocol {
      override connectionMade(): void {
        this.transport.write('ping');
      }
      override dataReceived(data: Buffer): void {
        events.push(`data:${data}`);
        this.transport.loseConnection();
      }
    }
    const factory = new (class extends ClientFactory {
      override startedConnecting(): void {
        events.push('started');
      }
      override clientConnectionLost(_c: Connector, reason: Error): void {
        events.push(reason instanceof ConnectionDone ? 'lost:done' : `lost:${reason}`);
      }
    })();
    factory.protocol = Greeter;
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    expect(connector.getDestination()).toEqual({ host: '127.0.0.1', port, family: 'IPv4' });
    await until(() => events.length === 3);
    expect(events).toEqual(['started', 'data:ping', 'lost:done']);
    expect(connector.state).toBe('disconnected');
  });

  it('a client connection runs straight on the libuv handle, adopted at connect', async () => {
    const port = await echoServer();
    let kind: string | undefined;
    let echoed: string | undefined;
    class Probe extends Protocol {
      override connectionMade(): void {
        kind = (this.transport as TCPTransport).getHandle().kind;
        this.transport.write('over the handle');
      }
      override dataReceived(data: Buffer): void {
        echoed = (echoed ?? '') + data.toString();
        if (echoed === 'over the handle') this.transport.loseConnection();
      }
    }
    const factory = new ClientFactory();
    factory.protocol = Probe;
    const connector = reactor.connectTCP('127.0.0.1', port, factory);
    await until(() => echoed === 'over the handle' && connector.state === 'disconnected');
    expect(kind).toBe('handle');
  });

  it('reports a refused connection to clientConnectionFailed', async () => {
    const port = await closedPort();
    const reasons: Error[] = [];
    const factory = new (class extends ClientFactory {
      override clientConnectionFailed(_c: Connector, reason: Error): void {
        reasons.push(reason);
      }
    })();
    reactor.connectTCP('127.0.0.1', port, factory);
    await until(() => reasons.length === 1);
    expect(reasons[0]).toBeInstanceOf(ConnectionRefusedError);
  });

  it('a reconnecting factory retries on its clock and gives up after maxRetries', async () => {
    const port = await closedPort();
    const clock = new Clock();
    let failures = 0;
    const factory = new (class extends ReconnectingClientFactory {
      override clientConnectionFailed(connector: Connector, reason: Error): void {
        failures++;
        super.clientConnectionFailed(connector, reason);
      }
    })();
    factory.clock = clock;
    factory.maxRetries = 2;
    reactor.connectTCP('127.0.0.1', port, factory);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await until(() => failures === attempt);
      clock.advance(factory.maxDelay);
    }
    expect(clock.getDelayedCalls()).toEqual([]);
    expect(failures).toBe(3);
  });

  it('reconnects after a lost connection once the server is back', async () => {
    const port = await echoServer();
    const clock = new Clock();
    let made = 0;
    class OneShot extends Protocol {
      override connectionMade(): void {
        made++;
        if (made === 1) this.transport.loseConnection();
      }
    }
    const factory = new ReconnectingClientFactory();
    factory.clock = clock;
    factory.protocol = OneShot;
    reactor.connectTCP('127.0.0.1', port, factory);
    await until(() => clock.getDelayedCalls().length === 1);
    clock.advance(factory.delay);
    await until(() => made === 2);
    factory.stopTrying();
  });

  it('stopListening refuses new connections; open ones stay', async () => {
    const factory = new ServerFactory();
    factory.protocol = Echo;
    const listening = reactor.listenTCP(0, factory);
    const { port } = await listening.listening;
    expect(factory.numPorts).toBe(1);
    await listening.stopListening();
    expect(factory.numPorts).toBe(0);
    const reasons: Error[] = [];
    const client = new (class extends ClientFactory {
      override clientConnectionFailed(_c: Connector, reason: Error): void {
        reasons.push(reason);
      }
    })();
    reactor.connectTCP('127.0.0.1', port, client);
    await until(() => reasons.length === 1);
    expect(reasons[0]).toBeInstanceOf(ConnectionRefusedError);
  });
});

describe('Reactor.adoptStreamConnection', () => {
  /** A connected pair: `ours` is a client socket, `peer` the plain net server's end. */
  async function connectedPair(): Promise<{ ours: net.Socket; peer: net.Socket; close(): void }> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = once(server, 'connection') as Promise<[net.Socket]>;
    const ours = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await once(ours, 'connect');
    const [peer] = await accepted;
    server.close();
    return { ours, peer, close: () => peer.destroy() };
  }

  it.each([
    ['fresh: taken down to the libuv handle', false, 'handle'],
    ['already read: kept on its public API', true, 'socket'],
  ])('adopts a connected socket, %s', async (_name, read, kind) => {
    const { ours, peer, close } = await connectedPair();
    if (read) {
      peer.write('before');
      await once(ours, 'data');
      ours.pause();
    }
    const factory = new ServerFactory();
    factory.protocol = Echo;
    const protocol = reactor.adoptStreamConnection(ours, factory);
    expect((protocol!.transport as TCPTransport).getHandle().kind).toBe(kind);
    const echoed: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => echoed.push(chunk));
    peer.write('after');
    await until(() => Buffer.concat(echoed).toString() === 'after');
    close();
  });
});

describe('Reactor.callLater', () => {
  it('runs due calls with their arguments; a cancelled call never runs; stop() cancels the rest', async () => {
    const calls: string[] = [];
    const cancelled = reactor.callLater(0, () => calls.push('cancelled'));
    // Same delay, scheduled later: it runs after `cancelled` would have.
    reactor.callLater(0, (name: string) => calls.push(name), 'a');
    cancelled.cancel();
    await until(() => calls.length === 1);
    expect(calls).toEqual(['a']);
    const pending = reactor.callLater(3600, () => calls.push('never'));
    await reactor.stop();
    expect(pending.cancelled).toBe(true);
    expect(reactor.getDelayedCalls()).toEqual([]);
  });
});
