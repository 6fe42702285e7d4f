// Datagram conformance case: many clients at once, each from its own port;
// every reply goes to the address its request came from.
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { waitFor } from './wire.js';

const CLIENTS = 20;
const REQUESTS = 5;

export function datagramManyClientsCase({ start, client, test }: DatagramConformanceSuite): void {
  test('manyClients', async () => {
    const server = await start('echo');
    const peers = await Promise.all(Array.from({ length: CLIENTS }, () => client(server)));
    expect(new Set(peers.map((peer) => peer.local.port)).size).toBe(CLIENTS);
    await Promise.all(
      peers.map(async (peer, i) => {
        for (let j = 0; j < REQUESTS; j++) {
          const message = `client ${i} request ${j} from port ${peer.local.port}`;
          expect(new TextDecoder().decode(await peer.request(message))).toBe(message);
        }
      }),
    );
    const total = CLIENTS * REQUESTS;
    await waitFor(() => server.stats().replied === total, 'every reply to be counted');
    expect(server.stats()).toMatchObject({ received: total, dropped: 0, failed: 0 });
  });
}
