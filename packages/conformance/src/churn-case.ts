// The churn case: connections ended every way a peer can end one, a few at
// a time; afterwards the server holds no more open connections than before
// (counted as descriptors), every thread or child is back in its pool, and
// a full dialogue still works.
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { expect } from 'vitest';
import { runChurn } from './churn.js';
import type { ConformanceSuite } from './conformance-suite.js';
import { NO_PROC_REASON, openTcpSockets } from './open-sockets.js';
import { recvText, recvUntilClosed, waitFor } from './wire.js';

/** Connections in the shared suite: enough to show a leak per ending, few enough for every model. */
const CHURN_CONNECTIONS = 240;
/** Connections open at once. */
const CHURN_CONCURRENCY = 4;

export const CHURN_TESTS = {
  churn:
    'churn: 240 connections ended every way (exit, FIN, RST before the greeting, RST mid-dialogue) leave no socket open and the server serving',
} as const;

/** A pooled server's own count of busy runners (ThreadingTCPServer, ForkingTCPServer). */
function busyRunners(server: object): number | undefined {
  const poolStats = (server as { poolStats?: () => { busy: number; queued: number } }).poolStats;
  if (typeof poolStats !== 'function') return undefined;
  const { busy, queued } = poolStats.call(server);
  return busy + queued;
}

export function describeChurnCase(suite: ConformanceSuite): void {
  suite.test('churn', async () => {
    const server = await suite.start('ivr');
    // Sockets held before any connection: the listener, and whatever the process already had.
    const before = openTcpSockets();
    const counts = await runChurn({
      host: server.address.host,
      port: server.address.port,
      total: CHURN_CONNECTIONS,
      concurrency: CHURN_CONCURRENCY,
    });
    expect(Object.values(counts).reduce((a, b) => a + b)).toBe(CHURN_CONNECTIONS);

    await waitFor(() => server.stats().active === 0, 'every churned request to be released');
    expect(server.stats().accepted).toBe(CHURN_CONNECTIONS);
    await waitFor(() => (busyRunners(server) ?? 0) === 0, 'every thread or child back in its pool');
    if (before === undefined) {
      console.warn(`conformance churn: ${NO_PROC_REASON}`);
    } else {
      // A socket is released a loop turn after its request settles: wait, bounded.
      await waitFor(
        () => (openTcpSockets() ?? 0) <= before,
        `the server's sockets to fall back to ${before}`,
      ).catch(() => {});
      expect(openTcpSockets()).toBeLessThanOrEqual(before);
    }

    const caller = await suite.dial(server);
    expect(await recvText(caller, IVR_GREETING)).toBe(IVR_GREETING);
    await caller.sendall('0');
    expect(await recvText(caller, IVR_OPERATOR)).toBe(IVR_OPERATOR);
    await caller.sendall('exit');
    expect((await recvUntilClosed(caller)).data.length).toBe(0);
  });
}
