// @iomodels/contract — the public surface, by name: the handler side
// (`./core.js`, also the `@iomodels/contract/core` entry), then the servers,
// the CLI and the reference handlers.

export {
  type AcceptedSocket,
  BaseServer,
  type CloseOptions,
  type PendingRequest,
  type RequestContext,
  type RequestTask,
  RunningRequest,
  type ServerStats,
} from './base-server.js';
export { formatDatagramShutdownLine } from './cli/format-datagram-shutdown-line.js';
export {
  type IntegerRange,
  parseDecimalFlag,
  parseIntegerFlag,
} from './cli/parse-number-flag.js';
export {
  parseFlags,
  parseServerArgs,
  readPem,
  type ServerArgs,
  type ServerCommandSpec,
  usage,
} from './cli/parse-server-args.js';
export { type DatagramServerCommand, runDatagramCli } from './cli/run-datagram-cli.js';
export { EXIT_USAGE, runServerCli, type ServerCommand } from './cli/run-server-cli.js';
export { closeWithLinger } from './close-with-linger.js';
export * from './core.js';
export {
  BaseDatagramServer,
  type DatagramServerStats,
  type DatagramTask,
} from './datagram/base-datagram-server.js';
export { type BoundDatagramSocket, bindDatagramSocket } from './datagram/bind-datagram-socket.js';
export {
  type DatagramServerOptions,
  resolveDatagramEndpoint,
  type UdpEndpoint,
} from './datagram/datagram-server-options.js';
export {
  type ClientEndpoint,
  formatServerEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  SD_LISTEN_FDS_START,
  type ServerEndpoint,
  type SystemdDomain,
  socketActivationFd,
} from './endpoint.js';
export { peerError } from './error-mapping.js';
export { EchoDatagramHandler } from './handlers/echo-datagram-handler.js';
export { EchoHandler } from './handlers/echo-handler.js';
export { IvrDatagramHandler } from './handlers/ivr-datagram-handler.js';
export {
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './handlers/ivr-handler.js';
export {
  type BoundListener,
  listenOnEndpoint,
  resolveServerEndpoint,
} from './listen-endpoint.js';
export { CidrList } from './proxy/cidr-list.js';
export {
  DEFAULT_MAX_PROXY_HEADER,
  PROXY_INCOMPLETE,
  PROXY_V1_MAX,
  type ProxyHeader,
  type ProxyHeaderResult,
  type ProxyProtocolVersion,
  type ProxyTlv,
  parseProxyHeader,
} from './proxy/proxy-header.js';
export { ProxyProtocolError } from './proxy/proxy-protocol-error.js';
export {
  type ProxyByteSource,
  type ReceiveProxyOptions,
  receiveProxyHeader,
} from './proxy/receive-proxy-header.js';
export {
  type ModelDescription,
  platformDemultiplexer,
  type ServerDescription,
} from './server-description.js';
export {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE,
  type ProxyProtocolOptions,
  type ServerOptions,
} from './server-options.js';
export {
  runShutdownSequence,
  type ShutdownReport,
  type ShutdownTarget,
  type ShutdownTimings,
} from './shutdown-sequence.js';
export { SocketConnection, type SocketConnectionOptions } from './socket-connection.js';
export { StreamRequestHandler } from './stream-request-handler.js';
export type { ServerTlsOptions } from './tls-socket.js';
