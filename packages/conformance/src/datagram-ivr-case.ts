// Datagram conformance case: the 10086 menu over UDP (see the contract
// README, "Datagrams"): an empty datagram starts the call, exit is unanswered.
import { IVR_GREETING, IVR_OPERATOR, IVR_RETRY } from '@iomodels/contract';
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { waitFor } from './wire.js';

export function datagramIvrCase({ start, client, test }: DatagramConformanceSuite): void {
  test('ivr', async () => {
    const server = await start('ivr');
    const peer = await client(server);
    const ask = async (message: string) => new TextDecoder().decode(await peer.request(message));
    expect(await ask('')).toBe(IVR_GREETING);
    expect(await ask('0')).toBe(IVR_OPERATOR);
    expect(await ask('1234\n')).toBe(IVR_RETRY);
    await peer.send('exit');
    await waitFor(() => server.stats().unanswered === 1, 'exit to be served without a reply');
    expect(server.stats()).toMatchObject({ received: 4, replied: 3, failed: 0 });
  });
}
