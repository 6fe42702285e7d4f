// Conformance case: the contract's concurrent-recv rule (see the contract
// README, "Concurrent recv") — a second recv while one is pending rejects at
// once with ReadInProgressError, and the first still gets the next bytes.
import { ReadInProgressError } from '@iomodels/contract';
import { expect } from 'vitest';
import type { ConformanceSuite } from './conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { recvText, waitFor } from './wire.js';

export const CONCURRENT_RECV_TEST =
  'a second recv while one is pending rejects at once with ReadInProgressError; the first still delivers';

export function concurrentRecvCase({ start, dial, test }: ConformanceSuite): void {
  test(
    'concurrentRecv',
    async () => {
      const server = await start(conformanceHandler('ConcurrentRecvHandler'));
      const client = await dial(server);
      // The handler tells how its second recv ended before we send a byte.
      const second = `second:${ReadInProgressError.code}`;
      expect(await recvText(client, second)).toBe(second);
      await client.sendall('hello');
      expect(await recvText(client, 'first:hello')).toBe('first:hello');
      await waitFor(() => server.stats().completed === 1, 'the request to complete');
      expect(server.stats().failed).toBe(0);
    },
    'concurrentRecv',
  );
}
