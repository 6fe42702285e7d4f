// Datagram conformance case: a reply lost on the way back (a relay drops it);
// the client's retry is a new datagram, and the server serves it.
import { IVR_OPERATOR } from '@iomodels/contract';
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { startLossyRelay } from './udp-relay.js';
import { waitFor } from './wire.js';

export function datagramLostReplyCase({ start, client, test }: DatagramConformanceSuite): void {
  test('lostReply', async () => {
    const server = await start('ivr');
    const relay = await startLossyRelay(server.address.port, 1);
    try {
      const peer = await client(relay.port, { timeout: 1_000, retries: 5 });
      expect(new TextDecoder().decode(await peer.request('0'))).toBe(IVR_OPERATOR);
      expect(relay.dropped).toBe(1);
      // At least the lost try and the retry; a slow machine may have retried more.
      await waitFor(() => server.stats().received >= 2, 'the retry to arrive');
      await waitFor(
        () => server.stats().replied === server.stats().received,
        'every try to be answered',
      );
    } finally {
      await relay.close();
    }
  });
}
