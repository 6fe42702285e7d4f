// Datagram conformance case: echo, whole datagrams of every size up to the bound.
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { waitFor } from './wire.js';

export function datagramEchoCase({ start, client, test }: DatagramConformanceSuite): void {
  test('echo', async () => {
    const server = await start('echo');
    const peer = await client(server);
    const sizes = [0, 1, 1000, server.limits.maxPacketSize];
    for (const size of sizes) {
      const payload = randomBytes(size);
      const reply = await peer.request(payload);
      expect(Buffer.compare(reply, payload), `a ${size}-byte datagram`).toBe(0);
    }
    await waitFor(() => server.stats().replied === sizes.length, 'every reply to be counted');
    expect(server.stats()).toMatchObject({ received: sizes.length, failed: 0, oversized: 0 });
  });
}
