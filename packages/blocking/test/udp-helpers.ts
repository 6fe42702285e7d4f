// UDP test helpers: servers closed after each test, a client that asks and
// retries (a datagram or its reply may be lost under load), bounded waits.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type {
  BaseDatagramServer,
  DatagramHandlerSpec,
  DatagramServerOptions,
} from '@iomodels/contract';
import { afterEach } from 'vitest';

export const datagramFixtures = new URL('./fixtures/datagram-handlers.mjs', import.meta.url);

export function datagramFixture(name: string) {
  return { module: datagramFixtures, export: name };
}

/** A UDP client of `host` (default 127.0.0.1) that collects every reply it gets. */
export class UdpTestClient {
  readonly socket: dgram.Socket;
  readonly replies: string[] = [];

  constructor(
    readonly port: number,
    readonly host = '127.0.0.1',
  ) {
    this.socket = dgram.createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    this.socket.on('message', (data) => this.replies.push(data.toString('utf8')));
    this.socket.on('error', () => {});
  }

  send(data: string | Uint8Array): void {
    this.socket.send(data, this.port, this.host);
  }

  /**
   * Sends `text` until a reply that satisfies `accept` arrives (every
   * `retryMs`, at most `tries` times); returns it. The server must answer
   * a retry as it answered the first (the handlers here do).
   */
  async ask(
    text: string,
    accept = (_reply: string) => true,
    tries = 20,
    retryMs = 500,
  ): Promise<string> {
    for (let i = 0; i < tries; i++) {
      this.send(text);
      const deadline = Date.now() + retryMs;
      while (Date.now() < deadline) {
        const found = this.replies.find(accept);
        if (found !== undefined) return found;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    throw new Error(
      `no reply to "${text}" after ${tries} tries; got ${JSON.stringify(this.replies)}`,
    );
  }

  close(): void {
    this.socket.close();
  }
}

/**
 * Starts UDP servers of one class (quiet, on 127.0.0.1, any port) and
 * clients for them; after each test both are closed.
 */
/** Server options plus a pool's own (`maxThreads`, `maxChildren`, …). */
type TestOptions = DatagramServerOptions & Record<string, unknown>;

export function useUdpServers<S extends BaseDatagramServer>(
  Server: new (handler: DatagramHandlerSpec, options?: TestOptions) => S,
) {
  const servers: S[] = [];
  const clients: UdpTestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 100 })));
  });
  return {
    async start(handler: DatagramHandlerSpec, options?: TestOptions): Promise<S> {
      const server = new Server(handler, { host: '127.0.0.1', port: 0, log: () => {}, ...options });
      servers.push(server);
      await server.listen();
      return server;
    },
    client(server: S): UdpTestClient {
      const client = new UdpTestClient(server.address.port, server.address.host);
      clients.push(client);
      return client;
    },
  };
}
