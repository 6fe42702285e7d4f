// @iomodels/contract — the public surface, by name.
export { type Address, formatAddress, fromAddressInfo, toAddress } from './address.js';
export { BaseRequestHandler, type HandlerClass } from './base-request-handler.js';
export {
  BaseServer,
  type CloseOptions,
  type PendingRequest,
  type RequestContext,
  type RequestTask,
  type ServerStats,
} from './base-server.js';
export {
  parseFlags,
  parseServerArgs,
  type ServerArgs,
  type ServerCommandSpec,
  usage,
} from './cli/parse-server-args.js';
export { EXIT_USAGE, runServerCli, type ServerCommand } from './cli/run-server-cli.js';
export {
  type Awaitable,
  type BlockingConnection,
  type Connection,
  type Sendable,
  toBytes,
} from './connection.js';
export {
  AddressInUseError,
  ConnectionClosedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  IncompleteReadError,
  IomodelsError,
  LineTooLongError,
  ListenError,
  SendStalledError,
  ServerClosedError,
  UnknownHandlerError,
  UnsupportedRuntimeError,
  UsageError,
} from './errors.js';
export {
  BUILTIN_HANDLERS,
  type HandlerReference,
  type HandlerSpec,
  loadHandler,
  parseHandlerArgument,
  serializeHandlerReference,
  toHandlerReference,
} from './handler-reference.js';
export { EchoHandler } from './handlers/echo-handler.js';
export {
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './handlers/ivr-handler.js';
export { DEFAULT_LIMITS, DEFAULT_RECV_SIZE, type Limits, resolveLimits } from './limits.js';
export { type ErrorSink, type RequestOutcome, runRequest } from './run-request.js';
export {
  type ModelDescription,
  platformDemultiplexer,
  type ServerDescription,
} from './server-description.js';
export type { ServerInfo } from './server-info.js';
export {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE,
  type ServerOptions,
} from './server-options.js';
export {
  runShutdownSequence,
  type ShutdownReport,
  type ShutdownTarget,
  type ShutdownTimings,
} from './shutdown-sequence.js';
export { peerError, SocketConnection } from './socket-connection.js';
export { StreamRequestHandler } from './stream-request-handler.js';
