// The TCP transport over real sockets: close, abort, half-close, addresses,
// producers and the output bounds — on both fd byte streams (straight on the
// libuv handle, and the public net.Socket fallback).
import net from 'node:net';
import { ConnectionResetError, SendStalledError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConnectionAborted,
  ConnectionDone,
  type HalfCloseableProtocol,
  Protocol,
  type PushProducer,
  Reactor,
  ServerFactory,
  type TCPTransport,
  WriteBufferFullError,
} from '../src/index.js';
import { STREAM_KIND } from '../src/reactor.js';
import { connectClient, readAll, until } from './helpers.js';

class Recording extends Protocol {
  reason: Error | undefined;
  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.reason = reason;
  }
}

describe.each(['handle', 'socket'] as const)('TCPTransport (%s stream)', (kind) => {
  const reactors: Reactor[] = [];
  /** A reactor whose transports use the `kind` stream; stopped after each test. */
  function newReactor(options: ConstructorParameters<typeof Reactor>[0] = {}): Reactor {
    const created = new Reactor(options);
    created[STREAM_KIND] = kind;
    reactors.push(created);
    return created;
  }
  const reactor = newReactor({ limits: { maxUnsentBytes: 256 * 1024 } });
  afterEach(() => Promise.all(reactors.map((r) => r.stop())));

  /** Listens with a factory building `protocolClass`; returns the port number and the protocols built. */
  async function serve<P extends Protocol>(protocolClass: new () => P, on = reactor) {
    const built: P[] = [];
    const factory = new ServerFactory();
    factory.buildProtocol = () => {
      const protocol = new protocolClass();
      built.push(protocol);
      return protocol;
    };
    const port = on.listenTCP(0, factory);
    const { port: number } = await port.listening;
    return { port: number, built };
  }

  it('runs over the byte stream asked for; getHandle() returns it', async () => {
    const { port, built } = await serve(Recording);
    const client = await connectClient(port);
    await until(() => built.length === 1);
    const transport = built[0]!.transport as TCPTransport;
    expect(transport.getHandle().kind).toBe(kind);
    client.destroy();
    await until(() => built[0]?.reason !== undefined);
  });

  it('loseConnection flushes all pending output, then closes cleanly', async () => {
    const payload = Buffer.alloc(200 * 1024, 7);
    class SendAndClose extends Recording {
      override connectionMade(): void {
        this.transport.write(payload);
        this.transport.loseConnection();
      }
    }
    const { port, built } = await serve(SendAndClose);
    const client = await connectClient(port);
    const { data } = await readAll(client);
    expect(data.equals(payload)).toBe(true);
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionDone);
  });

  it('abortConnection resets: the peer sees ECONNRESET, the protocol ConnectionAborted', async () => {
    class Abort extends Recording {
      override dataReceived(): void {
        this.transport.abortConnection();
      }
    }
    const { port, built } = await serve(Abort);
    const client = await connectClient(port);
    const done = readAll(client);
    client.write('x');
    const { error } = await done;
    expect((error as NodeJS.ErrnoException | undefined)?.code).toBe('ECONNRESET');
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionAborted);
  });

  it('a peer reset reaches connectionLost as ConnectionResetError', async () => {
    const { port, built } = await serve(Recording);
    const client = await connectClient(port);
    await until(() => built.length === 1);
    client.resetAndDestroy();
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionResetError);
  });

  it('half-close opt-in: readConnectionLost fires and the protocol can still answer', async () => {
    class Summer extends Recording implements HalfCloseableProtocol {
      received = 0;
      override dataReceived(data: Buffer): void {
        this.received += data.length;
      }
      readConnectionLost(): void {
        this.transport.write(`got ${this.received}`);
        this.transport.loseConnection();
      }
      writeConnectionLost(): void {}
    }
    const { port, built } = await serve(Summer);
    const client = await connectClient(port);
    const done = readAll(client);
    client.end('12345');
    expect((await done).data.toString()).toBe('got 5');
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionDone);
  });

  it('without half-close, the peer FIN ends the connection after pending output', async () => {
    class Echo extends Recording {
      override dataReceived(data: Buffer): void {
        this.transport.write(data);
      }
    }
    const { port, built } = await serve(Echo);
    const client = await connectClient(port);
    const done = readAll(client);
    client.end('bye');
    expect((await done).data.toString()).toBe('bye');
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionDone);
  });

  it('closing after the peer FIN with nothing unsent needs no shutdown request: close(2) sends our FIN', async () => {
    let shutdowns = 0;
    class ClosesOnFin extends Recording implements HalfCloseableProtocol {
      override connectionMade(): void {
        const stream = (this.transport as TCPTransport).getHandle();
        const shutdown = stream.shutdown.bind(stream);
        stream.shutdown = (done) => {
          shutdowns++;
          shutdown(done);
        };
      }
      override dataReceived(data: Buffer): void {
        this.transport.write(data);
      }
      readConnectionLost(): void {
        this.transport.loseConnection();
      }
      writeConnectionLost(): void {}
    }
    const { port, built } = await serve(ClosesOnFin);
    const client = await connectClient(port);
    const done = readAll(client);
    client.write('ping');
    await until(() => built.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.end();
    expect((await done).data.toString()).toBe('ping');
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionDone);
    expect(shutdowns).toBe(0);
  });

  it('getPeer and getHost name both ends', async () => {
    const { port, built } = await serve(Recording);
    const client = await connectClient(port);
    await until(() => built.length === 1);
    const transport = built[0]!.transport;
    expect(transport.getHost()).toEqual({ host: '127.0.0.1', port, family: 'IPv4' });
    expect(transport.getPeer()).toEqual({
      host: '127.0.0.1',
      port: client.localPort,
      family: 'IPv4',
    });
    client.destroy();
  });

  it('pauses a streaming producer while the peer does not read, resumes it when it does', async () => {
    const total = 8 * 1024 * 1024;
    const chunk = Buffer.alloc(16 * 1024, 1);
    class Streamer extends Recording implements PushProducer {
      sent = 0;
      paused = false;
      pauses = 0;
      resumes = 0;
      override connectionMade(): void {
        this.transport.registerProducer(this, true);
        this.#pump();
      }
      pauseProducing(): void {
        this.paused = true;
        this.pauses++;
      }
      resumeProducing(): void {
        this.paused = false;
        this.resumes++;
        this.#pump();
      }
      stopProducing(): void {}
      #pump(): void {
        while (!this.paused && this.sent < total) {
          this.transport.write(chunk);
          this.sent += chunk.length;
        }
        if (this.sent >= total) {
          this.transport.unregisterProducer();
          this.transport.loseConnection();
        }
      }
    }
    const { port, built } = await serve(Streamer);
    const client = await connectClient(port);
    client.pause();
    await until(() => built[0]?.paused === true);
    // The producer stopped while far from done: output is bounded, not buffered in full.
    expect(built[0]!.sent).toBeLessThan(total);
    let received = 0;
    client.on('data', (data: Buffer) => {
      received += data.length;
    });
    const closed = new Promise((resolve) => client.on('close', resolve));
    client.resume();
    await closed;
    expect(received).toBe(total);
    expect(built[0]!.resumes).toBeGreaterThan(0);
  });

  it('asks a pull producer for more each time the output drained', async () => {
    const pieces = 20;
    class Puller extends Recording {
      asked = 0;
      override connectionMade(): void {
        this.transport.registerProducer(
          {
            resumeProducing: () => {
              this.asked++;
              if (this.asked > pieces) {
                this.transport.unregisterProducer();
                this.transport.loseConnection();
                return;
              }
              this.transport.write(`${this.asked};`);
            },
            stopProducing: () => {},
          },
          false,
        );
      }
    }
    const { port } = await serve(Puller);
    const client = await connectClient(port);
    const { data } = await readAll(client);
    const expected = Array.from({ length: pieces }, (_, i) => `${i + 1};`).join('');
    expect(data.toString()).toBe(expected);
  });

  it('aborts a protocol that ignores flow control instead of buffering without bound', async () => {
    class Flood extends Recording {
      override connectionMade(): void {
        const block = Buffer.alloc(64 * 1024);
        for (let i = 0; i < 256 && this.connected; i++) this.transport.write(block);
      }
    }
    const { port, built } = await serve(Flood);
    const client = net.connect({ port, host: '127.0.0.1' });
    client.on('error', () => {}); // the reset may arrive before 'connect'
    client.pause(); // read nothing
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(WriteBufferFullError);
    client.destroy();
  });

  it('an echo whose peer does not read stops reading at maxUnsentBytes, and loses nothing', async () => {
    // A cap below net.Socket's own high-water mark (16 KiB): drains must still be seen.
    const capped = newReactor({ limits: { maxUnsentBytes: 8 * 1024 } });
    class Echo extends Recording {
      override dataReceived(data: Buffer): void {
        this.transport.write(data);
      }
    }
    const { port, built } = await serve(Echo, capped);
    const client = await connectClient(port);
    client.pause();
    const block = Buffer.alloc(64 * 1024);
    for (let i = 0; i < block.length; i++) block[i] = (i * 13) & 0xff;
    const total = 32 * 1024 * 1024;
    let written = 0;
    // Write until TCP pushes back: the server stopped reading, far before `total`.
    while (written < total && client.write(block)) written += block.length;
    written += block.length; // the write that returned false was queued
    expect(written).toBeLessThan(total);
    const done = readAll(client);
    client.resume();
    while (written < total) {
      await new Promise((resolve) => client.once('drain', resolve));
      while (written < total && client.write(block)) written += block.length;
      if (written < total) written += block.length;
    }
    client.end();
    const { data } = await done;
    expect(data.length).toBe(written);
    for (let offset = 0; offset < data.length; offset += block.length) {
      expect(data.subarray(offset, offset + block.length).equals(block)).toBe(true);
    }
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(ConnectionDone);
  });

  it('aborts a connection whose peer reads nothing for sendStallTimeout', async () => {
    const stalling = newReactor({ limits: { maxUnsentBytes: 64 * 1024, sendStallTimeout: 200 } });
    class Big extends Recording {
      override connectionMade(): void {
        // One large write: allowed (bounded by the caller's own buffer), but it must drain.
        this.transport.write(Buffer.alloc(32 * 1024 * 1024));
      }
    }
    const built: Big[] = [];
    const factory = new ServerFactory();
    factory.buildProtocol = () => {
      const protocol = new Big();
      built.push(protocol);
      return protocol;
    };
    const port = stalling.listenTCP(0, factory);
    const client = await connectClient((await port.listening).port);
    client.pause();
    await until(() => built[0]?.reason !== undefined);
    expect(built[0]?.reason).toBeInstanceOf(SendStalledError);
    client.destroy();
  });

  it('an error thrown by a protocol is reported and aborts only that connection', async () => {
    const errors: unknown[] = [];
    const strict = newReactor({ onError: (error) => errors.push(error) });
    class Throws extends Protocol {
      override dataReceived(): void {
        throw new Error('bad protocol');
      }
    }
    const factory = new ServerFactory();
    factory.protocol = Throws;
    const port = strict.listenTCP(0, factory);
    const client = await connectClient((await port.listening).port);
    const done = readAll(client);
    client.write('x');
    await done;
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('bad protocol');
  });
});
