// The line a server bin prints when it has closed: what happened over the
// server's whole life, then what the shutdown did to the connections still open.
import type { ServerStats } from '../base-server.js';
import type { ShutdownReport } from '../shutdown-sequence.js';

/**
 * Formats the closing line from the server's lifetime counters (taken after
 * `close()`) and the shutdown report, e.g.
 * `3 served, 0 refused: 2 completed, 1 failed, 0 timed out; at shutdown 1 open: 0 completed, 1 interrupted, 0 aborted, 0 abandoned`.
 * "at shutdown" counts only the connections open when the signal came.
 */
export function formatShutdownLine(stats: ServerStats, report: ShutdownReport): string {
  const served = stats.accepted - stats.refused - stats.proxyRefused;
  // Shown only behind a PROXY-protocol proxy, where it can be non-zero.
  const proxy = stats.proxyRefused > 0 ? `, ${stats.proxyRefused} PROXY header refused` : '';
  const life =
    `${served} served, ${stats.refused} refused${proxy}: ` +
    `${stats.completed} completed, ${stats.failed} failed, ${stats.timedOut} timed out`;
  const open = report.completed + report.interrupted + report.aborted;
  const shutdown = `${report.completed} completed, ${report.interrupted} interrupted, ${report.aborted} aborted, ${report.abandoned} abandoned`;
  return `${life}; at shutdown ${open} open: ${shutdown}`;
}
