// The line a UDP server bin prints when it has closed.
import type { DatagramServerStats } from '../datagram/base-datagram-server.js';
import type { ShutdownReport } from '../shutdown-sequence.js';

/**
 * E.g. `5 received: 3 replied, 1 unanswered, 0 oversized, 1 dropped, 0 refused, 0 failed, 0 timed out; at shutdown 1 in flight: 1 completed, 0 abandoned`.
 */
export function formatDatagramShutdownLine(
  stats: DatagramServerStats,
  report: ShutdownReport,
): string {
  const { received, replied, unanswered, oversized, dropped, refused, failed, timedOut } = stats;
  const life =
    `${received} received: ${replied} replied, ${unanswered} unanswered, ${oversized} oversized, ` +
    `${dropped} dropped, ${refused} refused, ${failed} failed, ${timedOut} timed out`;
  return `${life}; at shutdown ${report.completed + report.abandoned} in flight: ${report.completed} completed, ${report.abandoned} abandoned`;
}
