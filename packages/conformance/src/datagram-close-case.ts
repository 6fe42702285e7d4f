// Datagram conformance cases: close (see the contract README, "Datagrams"):
// requests in flight get the grace and their replies; what still runs after
// it is abandoned, unanswered; the port is free once close() resolves.
import { ConnectionTimeoutError } from '@iomodels/contract';
import { expect } from 'vitest';
import type { DatagramConformanceSuite } from './datagram-conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { waitFor } from './wire.js';

export function datagramCloseCase({ start, client, test }: DatagramConformanceSuite): void {
  const sleeper = conformanceHandler('SleepDatagramHandler');

  test('close', async () => {
    const server = await start(sleeper);
    const peer = await client(server);
    const reply = peer.request('sleep:300');
    await waitFor(() => server.stats().active === 1, 'the request to be running');
    const { port } = server.address;
    const report = await server.close({ timeout: 10_000 });
    expect(report).toEqual({ completed: 1, interrupted: 0, aborted: 0, abandoned: 0 });
    expect(new TextDecoder().decode(await reply)).toBe('done:300');
    const again = await start('echo', { listen: `udp:${port}:interface=127.0.0.1` });
    expect(again.address.port).toBe(port);
  });

  test('closeAbandons', async () => {
    const server = await start(sleeper);
    const peer = await client(server, { timeout: 1_500, retries: 0 });
    const reply = peer.request('sleep:2500').catch((error: unknown) => error);
    await waitFor(() => server.stats().active === 1, 'the request to be running');
    const report = await server.close({ timeout: 100 });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 0, abandoned: 1 });
    expect(ConnectionTimeoutError.isInstance(await reply)).toBe(true);
  });

  test('portInUse', async () => {
    const server = await start('echo');
    const error = await start('echo', {
      listen: `udp:${server.address.port}:interface=127.0.0.1`,
    }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ERR_IOMODELS_LISTEN_ADDRESS_IN_USE');
  });
}
