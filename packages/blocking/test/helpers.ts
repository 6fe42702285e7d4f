// Test helpers: servers and clients closed after each test, clients that
// read lines, handler references to the fixtures, bounded waiting. Every
// server binds 127.0.0.1 port 0.
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import type {
  Address,
  BaseServer,
  HandlerReference,
  HandlerSpec,
  ServerOptions,
} from '@iomodels/contract';
import { afterEach } from 'vitest';

export const fixtures = new URL('./fixtures/handlers.mjs', import.meta.url);
export const bin = new URL('../dist/bin.js', import.meta.url);

export function fixture(name: string): HandlerReference {
  return { module: fixtures, export: name };
}

/** A client that collects what it receives. */
export class TestClient {
  readonly socket: net.Socket;
  text = '';
  ended = false;
  closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.text += chunk;
    });
    socket.on('end', () => {
      this.ended = true;
    });
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static async connect(address: Address | number, allowHalfOpen = false): Promise<TestClient> {
    const port = typeof address === 'number' ? address : address.port;
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen });
    const client = new TestClient(socket);
    await once(socket, 'connect');
    return client;
  }

  /** Waits until the received text contains `part`; returns the text. */
  async waitFor(part: string): Promise<string> {
    await eventually(() => this.text.includes(part) || (this.closed && !this.text.includes(part)));
    if (!this.text.includes(part)) throw new Error(`closed without "${part}"; got "${this.text}"`);
    return this.text;
  }

  write(text: string): void {
    this.socket.write(text);
  }
}

/**
 * Starts servers of one class (quiet, on 127.0.0.1, any port) and connects
 * clients to them; after each test the clients are destroyed and the
 * servers closed. Call it once per test file, at the top level.
 */
export function useServers<S extends BaseServer, O extends ServerOptions>(
  Server: new (handler: HandlerSpec, options?: O) => S,
) {
  const servers: S[] = [];
  const clients: TestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.socket.destroy();
    await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 100 })));
  });
  /** Destroys `client` after the test. */
  const track = (client: TestClient) => {
    clients.push(client);
    return client;
  };
  return {
    track,
    async start(handler: HandlerSpec, options?: O): Promise<S> {
      const server = new Server(handler, {
        host: '127.0.0.1',
        port: 0,
        log: () => {},
        ...options,
      } as O);
      servers.push(server);
      await server.listen();
      return server;
    },
    async connect(server: S, allowHalfOpen = false): Promise<TestClient> {
      return track(await TestClient.connect(server.address, allowHalfOpen));
    },
  };
}

/**
 * Each client sends a message of its own, waits for it to come back and
 * leaves, freeing its thread or child for a client still waiting.
 */
export async function echoOnceEach(clients: TestClient[]): Promise<void> {
  await Promise.all(
    clients.map(async (client, i) => {
      client.write(`c${i};`);
      await client.waitFor(`c${i};`);
      client.socket.end();
    }),
  );
}

/** Waits until `predicate` holds, checking every 10 ms, at most `tries` times (bounded). */
export async function eventually(predicate: () => boolean, tries = 1500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}

/** True while `pid` exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}
