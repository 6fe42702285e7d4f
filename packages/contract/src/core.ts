// @iomodels/contract/core — the handler side of the contract, without the
// servers and the CLI: what a worker thread or child process loads to run
// handlers. A Node worker starts its own module graph, so every module it
// imports costs CPU at each thread's start (the whole package: about 5 ms
// per thread on Node 20, a sixth of a thread's start-up). The classes are
// the same objects as the package root's (one shared chunk), so a handler
// that imports `@iomodels/contract` still recognises these errors.
export {
  type Address,
  formatAddress,
  formatHostPort,
  fromAddressInfo,
  type InetAddress,
  peerAddress,
  type SocketAddressFields,
  socketAddresses,
  toAddress,
  type UnixAddress,
  unixAddress,
} from './address.js';
export { BaseRequestHandler, type HandlerClass } from './base-request-handler.js';
export {
  type Awaitable,
  type BlockingConnection,
  type Connection,
  type Sendable,
  toBytes,
  withProxyHeader,
} from './connection.js';
export {
  BUILTIN_DATAGRAM_HANDLERS,
  type DatagramHandlerSpec,
  loadDatagramHandler,
  toDatagramHandlerReference,
} from './datagram/datagram-handler-reference.js';
export type {
  DatagramHandlerFunction,
  DatagramReply,
  DatagramRequest,
} from './datagram/datagram-request.js';
export {
  type DatagramHandlerClass,
  DatagramRequestHandler,
} from './datagram/datagram-request-handler.js';
export { PacketReader } from './datagram/packet-reader.js';
export { PacketWriter } from './datagram/packet-writer.js';
export {
  type DatagramHandler,
  type DatagramOutcome,
  type DatagramResult,
  isDatagramHandlerClass,
  runDatagramRequest,
} from './datagram/run-datagram-request.js';
export {
  type HostPort,
  toConnectError,
  toConnectionError,
  toListenError,
} from './error-mapping.js';
export {
  AddressInUseError,
  ConnectionClosedError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  DatagramTimeoutError,
  IdleTimeoutError,
  IncompleteReadError,
  IomodelsError,
  LineTooLongError,
  ListenError,
  ReadInProgressError,
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
  resolveHandlerModule,
  serializeHandlerReference,
  toHandlerReference,
} from './handler-reference.js';
export { IdleWatch } from './idle-watch.js';
export { DEFAULT_LIMITS, DEFAULT_RECV_SIZE, type Limits, resolveLimits } from './limits.js';
export { resetSocket } from './reset-socket.js';
export { type ErrorSink, type RequestOutcome, runRequest } from './run-request.js';
export { SendStallWatch } from './send-stall-watch.js';
export type { ServerInfo } from './server-info.js';
