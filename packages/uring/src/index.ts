// @iomodels/uring: the io_uring completion backend, optional and Linux-only.
export { type BackendChoice, chooseBackend } from './choose-backend.js';
export { errnoName } from './errno-name.js';
export {
  type LoadUringOptions,
  loadUring,
  type UringAvailability,
  type UringUnavailableCode,
} from './load.js';
export type { RingFacts, RingStats, UringBinding } from './uring-binding.js';
export {
  ECHO_BUFFER_SIZE,
  type EchoOptions,
  type EchoServer,
  serveEcho,
} from './uring-echo.js';
export {
  COMPLETION_BATCH,
  type Completion,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  UringLoop,
  UringUnavailableError,
} from './uring-loop.js';
