// Conformance case: the contract's idle-timeout rule (see the contract
// README, "Idle timeout") — what the handler sees, what the report counts,
// and that the connection is closed.
import { expect, vi } from 'vitest';
import type { ConformanceSuite } from './conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { recvText, recvUntilClosed, waitFor } from './wire.js';

export const IDLE_TIMEOUT_TEST =
  'idle timeout: recv rejects with IdleTimeoutError, the request counts as timedOut (not failed, not reported), the connection closes';

/** Short enough to keep the suite quick; the verdict comes within 1.25× of it. */
const IDLE_TIMEOUT = 300;

export function idleTimeoutCase({ start, dial, test }: ConformanceSuite): void {
  test(
    'idleTimeout',
    async () => {
      // Says `ready`, then waits in recv; the client says nothing.
      const server = await start(conformanceHandler('OneExchangeHandler'), {
        idleTimeout: IDLE_TIMEOUT,
      });
      const handleError = vi.spyOn(server, 'handleError').mockImplementation(() => {});
      const client = await dial(server);
      expect(await recvText(client, 'ready')).toBe('ready');
      // The handler's recv rejected, so it never answered: the server closed.
      const { data } = await recvUntilClosed(client);
      expect(new TextDecoder().decode(data)).toBe('');
      await waitFor(() => server.stats().timedOut === 1, 'the request to count as timedOut');
      expect(server.stats()).toMatchObject({ completed: 0, failed: 0, active: 0 });
      expect(handleError).not.toHaveBeenCalled();
    },
    'idleTimeout',
  );
}
