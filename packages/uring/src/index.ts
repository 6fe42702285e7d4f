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
  UringByteStream,
  type UringStreamListener,
  type UringWriteDone,
} from './uring-byte-stream.js';
export {
  ECHO_BUFFER_SIZE,
  type EchoOptions,
  type EchoServer,
  serveEcho,
} from './uring-echo.js';
export {
  COMPLETION_BATCH,
  type Completion,
  POOL_BUFFER_SIZE,
  POOL_BUFFERS,
  SHUT_RD,
  SHUT_RDWR,
  SHUT_WR,
  SOCKOPT_KEEPALIVE,
  SOCKOPT_LINGER_ZERO,
  SOCKOPT_NODELAY,
  type SocketAddress,
  UringLoop,
  UringUnavailableError,
} from './uring-loop.js';
