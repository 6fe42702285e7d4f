// The datagram (UDP) behaviour suite every UDP server runs, like the stream
// suite in describe-conformance.ts: one function registers the same tests
// for any way of starting a server.
import { connectDatagram, type DatagramClient } from '@iomodels/client';
import type { BaseDatagramServer, DatagramServerOptions } from '@iomodels/contract';
import { afterEach, describe, it } from 'vitest';
import { datagramCloseCase } from './datagram-close-case.js';
import {
  DATAGRAM_CONFORMANCE_TESTS,
  type DatagramConformanceSuite,
  type DatagramConformanceTarget,
  type DatagramTestKey,
} from './datagram-conformance-suite.js';
import { datagramEchoCase } from './datagram-echo-case.js';
import { datagramIvrCase } from './datagram-ivr-case.js';
import { datagramLostReplyCase } from './datagram-lost-reply-case.js';
import { datagramManyClientsCase } from './datagram-many-clients-case.js';
import { datagramOversizedCase } from './datagram-oversized-case.js';
import { datagramThrowingCase } from './datagram-throwing-case.js';

const CASES: ReadonlyArray<(suite: DatagramConformanceSuite) => void> = [
  datagramEchoCase,
  datagramIvrCase,
  datagramOversizedCase,
  datagramLostReplyCase,
  datagramManyClientsCase,
  datagramThrowingCase,
  datagramCloseCase,
];

/** Registers the datagram suite for one model (or mode) under `describe('udp conformance: NAME')`. */
export function describeDatagramConformance(name: string, target: DatagramConformanceTarget): void {
  describe(`udp conformance: ${name}`, () => {
    const servers: BaseDatagramServer[] = [];
    const clients: DatagramClient[] = [];
    const expectedToFail = new Set(target.expectFailures ?? []);

    afterEach(async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      await Promise.all(servers.splice(0).map((server) => server.close({ timeout: 500 })));
    });

    const suite: DatagramConformanceSuite = {
      async start(handler, options: DatagramServerOptions = {}) {
        // Handler errors the tests provoke are expected; keep them off the console.
        const server = await target.start(handler, {
          listen: 'udp:0:interface=127.0.0.1',
          log: () => {},
          shutdownGrace: 1000,
          ...options,
        });
        servers.push(server);
        return server;
      },
      async client(server, options = {}) {
        const port = typeof server === 'number' ? server : server.address.port;
        // Loopback loses nothing by itself: a retry only where a test asks for it.
        const client = await connectDatagram({ port, timeout: 5_000, retries: 0, ...options });
        clients.push(client);
        return client;
      },
      test(key: DatagramTestKey, body: () => Promise<void>) {
        const title = DATAGRAM_CONFORMANCE_TESTS[key];
        const reason = target.skip?.[key];
        if (reason !== undefined) it.skip(`${title} (skipped: ${reason})`, body);
        else if (expectedToFail.has(title))
          it.fails(`${title} (expected to fail on this server)`, body);
        else it(title, body);
      },
    };
    for (const register of CASES) register(suite);
  });
}
