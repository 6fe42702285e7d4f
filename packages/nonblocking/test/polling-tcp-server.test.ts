import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { type Client, connect } from '@iomodels/client';
import { recvText, recvUntilClosed, waitFor } from '@iomodels/conformance';
import { BaseRequestHandler, type HandlerSpec, UsageError } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { type PollingServerOptions, PollingTCPServer } from '../src/index.js';
import { readSlowly, tick } from './helpers.js';

const PAYLOAD = randomBytes(8 * 1024 * 1024);

/** Sends PAYLOAD in one sendall, then returns. */
class BulkSender extends BaseRequestHandler {
  override async handle(): Promise<void> {
    await this.request.sendall(PAYLOAD);
  }
}

/** Bytes the server read from flooding connections (the flood and the test share this thread). */
let floodBytes = 0;

/**
 * Echoes chunks that start with `q` (the quiet client); checksums and drops
 * the flood (`f…`). The checksum makes reading the flood slower than the
 * flood can write, so a server that served one connection until EAGAIN
 * would never get back to the quiet one.
 */
class FairnessHandler extends BaseRequestHandler {
  checksum = 0;

  override async handle(): Promise<void> {
    for (;;) {
      const data = await this.request.recv();
      if (data.length === 0) return;
      if (data[0] === 0x71) {
        await this.request.sendall(data);
        continue;
      }
      for (let pass = 0; pass < 8; pass++) {
        for (const byte of data) this.checksum = (this.checksum + byte) | 0;
      }
      floodBytes += data.length;
    }
  }
}

describe('PollingTCPServer', () => {
  const servers: PollingTCPServer[] = [];
  const clients: Client[] = [];
  const sockets: net.Socket[] = [];

  async function start(handler: HandlerSpec, options: PollingServerOptions = {}) {
    // Resets the tests provoke reach handleError; keep them off the console.
    const quiet = { log: () => {} };
    const server = new PollingTCPServer(handler, {
      host: '127.0.0.1',
      port: 0,
      ...quiet,
      ...options,
    });
    servers.push(server);
    await server.listen();
    return server;
  }

  async function dial(server: PollingTCPServer): Promise<Client> {
    const client = await connect({ port: server.address.port, timeout: 20_000 });
    clients.push(client);
    return client;
  }

  function rawSocket(server: PollingTCPServer): net.Socket {
    const socket = net.connect({ host: '127.0.0.1', port: server.address.port });
    socket.on('error', () => {});
    sockets.push(socket);
    return socket;
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.abort();
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 500 })));
  });

  it('resumes partial writes until a slowly reading peer has every byte', async () => {
    const server = await start(BulkSender);
    const peer = rawSocket(server);
    const received = await readSlowly(peer, 1);
    expect(received.length).toBe(PAYLOAD.length);
    expect(Buffer.compare(received, PAYLOAD)).toBe(0);
    const stats = server.pollStats();
    expect(stats.wouldBlock).toBeGreaterThan(0); // the kernel said "not now" …
    expect(stats.partialWrites).toBeGreaterThan(0); // … and took only part of some writes
    await waitFor(() => server.stats().completed === 1, 'the request to complete');
  });

  it('keeps answering a quiet client while another floods it', async () => {
    const server = await start(FairnessHandler);
    const shared = new Int32Array(new SharedArrayBuffer(4));
    const flood = new Worker(FLOOD_WORKER, {
      eval: true,
      workerData: { port: server.address.port, shared: shared.buffer },
    });
    const floodExited = new Promise<void>((resolve) => flood.once('exit', () => resolve()));
    try {
      // The flood is on: the server is reading it.
      await waitFor(() => floodBytes > 1024 * 1024, 'the flood to reach the server');
      const quiet = await dial(server);
      const before = floodBytes;
      for (let i = 0; i < 20; i++) {
        const message = `quiet ${i}`;
        await quiet.sendall(message);
        expect(await recvText(quiet, message)).toBe(message);
      }
      // The server kept reading the flood while the quiet client got every reply.
      expect(floodBytes).toBeGreaterThan(before);
      expect(Atomics.load(shared, 0)).toBe(0); // the flood never stopped on its own
    } finally {
      flood.postMessage('stop');
      await floodExited;
    }
  });

  it('ends a connection idle longer than idleTimeout with FIN; the request counts as timedOut', async () => {
    const server = await start('echo', { idleTimeout: 200 });
    const client = await dial(server);
    await client.sendall('ping');
    expect(await recvText(client, 'ping')).toBe('ping');
    const { data, end } = await recvUntilClosed(client);
    expect(data.length).toBe(0);
    expect(end).toBe('eof');
    await waitFor(() => server.stats().timedOut === 1, 'the idle request to time out');
    expect(server.stats()).toMatchObject({ active: 0, completed: 0, failed: 0 });
  });

  it('aborts a sendall whose peer reads nothing for sendStallTimeout', async () => {
    const lines: string[] = [];
    const server = await start(BulkSender, {
      limits: { sendStallTimeout: 300 },
      log: (line) => lines.push(line),
    });
    const peer = rawSocket(server);
    peer.pause(); // never reads
    await waitFor(() => server.stats().failed === 1, 'the stalled request to fail');
    expect(lines.join('\n')).toContain('SendStalledError');
    expect(server.stats().active).toBe(0);
  });

  it('stops sweeping when no connection has anything pending', async () => {
    const server = await start('echo');
    const client = await dial(server);
    await client.sendall('x');
    await recvText(client, 'x');
    client.shutdownWrite();
    await recvUntilClosed(client);
    await waitFor(() => server.stats().completed === 1, 'the request to complete');
    const sweeps = server.pollStats().sweeps;
    await tick(100);
    expect(server.pollStats().sweeps).toBe(sweeps);
  });

  it('reads an idle connection only to hear EAGAIN, and backs off', async () => {
    const server = await start('echo', { pollInterval: 20 });
    const client = await dial(server);
    await client.sendall('x');
    await recvText(client, 'x');
    await tick(50); // past the short spin that follows progress
    const before = server.pollStats();
    await tick(200);
    const after = server.pollStats();
    expect(after.wouldBlock).toBeGreaterThan(before.wouldBlock);
    expect(after.reads).toBe(before.reads);
    // Backed off: far fewer sweeps than event-loop turns in 200 ms (at most 200 / 20 + the ramp).
    expect(after.sweeps - before.sweeps).toBeLessThan(30);
  });

  it('accepts and serves 2,000 clients that stay connected, then a new one', async () => {
    const server = await start('echo');
    const count = 2_000;
    // Each client: connect, send one byte, wait for its echo, stay open. At most
    // 200 connects in flight, so the listen queue never overflows.
    const served = async (socket: net.Socket) => {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => socket.write('x'));
        socket.once('data', () => resolve());
        socket.once('close', () => reject(new Error('closed before its echo')));
      });
    };
    let next = 0;
    const worker = async () => {
      while (next < count) {
        next++;
        await served(rawSocket(server));
      }
    };
    await Promise.all(Array.from({ length: 200 }, worker));
    expect(server.stats().accepted).toBe(count);
    expect(server.stats().active).toBe(count);
    // One more while all of them are held: it is accepted and served too.
    const late = await dial(server);
    await late.sendall('late');
    expect(await recvText(late, 'late')).toBe('late');
  }, 120_000);

  it('rejects a pollInterval that is not a duration', () => {
    expect(() => new PollingTCPServer('echo', { pollInterval: -1 })).toThrow(UsageError);
    expect(() => new PollingTCPServer('echo', { pollInterval: Number.NaN })).toThrow(UsageError);
  });

  it('describes itself as the nonblocking model, busy when pollInterval is 0', async () => {
    const server = await start('ivr', { pollInterval: 0 });
    const description = server.describe();
    expect(description).toMatchObject({
      model: 'nonblocking',
      mode: 'busy',
      completion: 'none',
    });
    expect(description.io).toContain('O_NONBLOCK');
    expect(new PollingTCPServer('ivr').mode).toBe('polling');
  });
});

/**
 * A client that writes 64 KiB chunks of `f` as fast as the server takes them,
 * in its own thread so that it floods while the test's thread runs the
 * server. shared[0] becomes 1 if it stopped before it was told to.
 */
const FLOOD_WORKER = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const shared = new Int32Array(workerData.shared);
const chunk = Buffer.alloc(64 * 1024, 0x66);
let stopping = false;
const socket = net.connect({ host: '127.0.0.1', port: workerData.port });
const pump = () => { while (!stopping && socket.write(chunk)) {} };
socket.on('connect', pump);
socket.on('drain', pump);
socket.on('error', () => {});
socket.on('close', () => {
  if (!stopping) Atomics.store(shared, 0, 1);
  parentPort.close();
});
parentPort.on('message', () => { stopping = true; socket.destroy(); });
`;
