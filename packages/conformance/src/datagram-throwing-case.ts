// Datagram conformance case: a handler that throws costs that one request
// (no reply, handleError with the client address); the next is served.
import { expect, vi } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { waitFor } from './wire.js';

export function datagramThrowingCase({ start, client, test }: DatagramConformanceSuite): void {
  test('throwing', async () => {
    const server = await start(conformanceHandler('ThrowingDatagramHandler'));
    const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
    const peer = await client(server);
    await peer.send('boom');
    await waitFor(() => server.stats().failed === 1, 'the throwing request to count as failed');
    expect(handleError).toHaveBeenCalledTimes(1);
    expect(handleError.mock.calls[0]?.[1]).toMatchObject({
      host: '127.0.0.1',
      port: peer.local.port,
    });
    expect(new TextDecoder().decode(await peer.request('next'))).toBe('ok:next');
    expect(server.stats()).toMatchObject({ received: 2, replied: 1, failed: 1 });
  });
}
