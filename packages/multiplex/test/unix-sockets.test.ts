// Twisted's listenUNIX / connectUNIX: a protocol on each end of a Unix
// socket file, both transports on the libuv Pipe handle; the file's mode,
// its lock (wantPID) and its removal when the port stops listening.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressInUseError, ConnectionRefusedError } from '@iomodels/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientFactory,
  ConnectionDone,
  type Connector,
  Protocol,
  Reactor,
  ServerFactory,
  type TCPTransport,
} from '../src/index.js';
import { until } from './helpers.js';

const reactor = new Reactor();
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-multiplex-'));
});
afterEach(() => reactor.stop());
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

function echoFactory(): ServerFactory {
  const factory = new ServerFactory();
  factory.protocol = Echo;
  return factory;
}

describe('listenUNIX / connectUNIX', () => {
  it('a client protocol talks to a server protocol over the socket file, both on the handle', async () => {
    const file = path.join(dir, 'echo.sock');
    const port = reactor.listenUNIX(file, echoFactory(), { mode: 0o600 });
    expect(await port.listening).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const events: string[] = [];
    class Greeter extends Protocol {
      override connectionMade(): void {
        const transport = this.transport as TCPTransport;
        events.push(`handle:${transport.getHandle().kind}`, `peer:${transport.getPeer().family}`);
        this.transport.write('ping');
      }
      override dataReceived(data: Buffer): void {
        events.push(`data:${data}`);
        this.transport.loseConnection();
      }
    }
    const factory = new (class extends ClientFactory {
      override clientConnectionLost(_c: Connector, reason: Error): void {
        events.push(reason instanceof ConnectionDone ? 'lost:done' : `lost:${reason}`);
      }
    })();
    factory.protocol = Greeter;
    const connector = reactor.connectUNIX(file, factory);
    expect(connector.getDestination()).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    await until(() => events.length === 4);
    expect(events).toEqual(['handle:handle', 'peer:unix', 'data:ping', 'lost:done']);
    await port.stopListening();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('wantPID guards the file with a lock: a second port on it is refused', async () => {
    const file = path.join(dir, 'locked.sock');
    const port = reactor.listenUNIX(file, echoFactory(), { wantPID: true });
    await port.listening;
    expect(fs.readFileSync(`${file}.lock`, 'utf8').trim()).toBe(String(process.pid));
    const second = reactor.listenUNIX(file, echoFactory(), { wantPID: true });
    await expect(second.listening).rejects.toSatisfy((e) => AddressInUseError.isInstance(e));
    await port.stopListening();
    expect(fs.existsSync(`${file}.lock`)).toBe(false);
  });

  it('a socket file nobody listens on refuses the connection', async () => {
    const reasons: Error[] = [];
    const factory = new (class extends ClientFactory {
      override clientConnectionFailed(_c: Connector, reason: Error): void {
        reasons.push(reason);
      }
    })();
    reactor.connectUNIX(path.join(dir, 'nobody.sock'), factory);
    await until(() => reasons.length === 1);
    expect(reasons[0]).toBeInstanceOf(ConnectionRefusedError);
  });
});
