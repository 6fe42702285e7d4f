// @iomodels/nonblocking — the public surface, by name.
export { NonBlockingSocket, WOULD_BLOCK, type WouldBlock } from './non-blocking-socket.js';
export type { PollingConnection } from './polling-connection.js';
export {
  DEFAULT_POLL_INTERVAL,
  type PollingServerOptions,
  PollingTCPServer,
  type PollStats,
} from './polling-tcp-server.js';
