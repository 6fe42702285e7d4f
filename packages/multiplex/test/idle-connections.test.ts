// One reactor holds 2,000 idle connections and still answers a new client at once.
import type net from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { Protocol, Reactor, ServerFactory } from '../src/index.js';
import { connectClient, until } from './helpers.js';

const IDLE = 2_000;
const BATCH = 200; // below the listen backlog, so no connection waits on SYN retries

const reactor = new Reactor();
const clients: net.Socket[] = [];
afterAll(async () => {
  for (const client of clients) client.destroy();
  await reactor.stop();
});

it(`holds ${IDLE} idle connections on one reactor and still answers a new client`, async () => {
  let open = 0;
  class Echo extends Protocol {
    override connectionMade(): void {
      open++;
    }
    override dataReceived(data: Buffer): void {
      this.transport.write(data);
    }
    override connectionLost(reason: Error): void {
      super.connectionLost(reason);
      open--;
    }
  }
  const factory = new ServerFactory();
  factory.protocol = Echo;
  const { port } = await reactor.listenTCP(0, factory).listening;
  for (let i = 0; i < IDLE; i += BATCH) {
    clients.push(...(await Promise.all(Array.from({ length: BATCH }, () => connectClient(port)))));
  }
  await until(() => open === IDLE);

  const fresh = await connectClient(port);
  clients.push(fresh);
  const answer = new Promise<string>((resolve) => fresh.once('data', (d) => resolve(String(d))));
  fresh.write('still answering');
  expect(await answer).toBe('still answering');
  expect(open).toBe(IDLE + 1);
});
