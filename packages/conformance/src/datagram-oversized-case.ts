// Datagram conformance case: past maxPacketSize a datagram is dropped unread
// and counted, never truncated and answered (see the contract README).
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { waitFor } from './wire.js';

export function datagramOversizedCase({ start, client, test }: DatagramConformanceSuite): void {
  test('oversized', async () => {
    const server = await start('echo');
    const peer = await client(server);
    await peer.send(new Uint8Array(server.limits.maxPacketSize + 1));
    await waitFor(() => server.stats().oversized === 1, 'the oversized datagram to be counted');
    expect(new TextDecoder().decode(await peer.request('next'))).toBe('next');
    expect(server.stats()).toMatchObject({ received: 2, oversized: 1, replied: 1, failed: 0 });
  });
}
