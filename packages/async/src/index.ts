// @iomodels/async — the public surface, by name.
export { AsyncAcceptor } from './async-acceptor.js';
export {
  AsyncDatagramSocket,
  type AsyncDatagramSocketOptions,
  type Datagram,
  type DatagramDestination,
} from './async-datagram-socket.js';
export { AsyncSocket } from './async-socket.js';
export type { CompletionCallback, OperationOptions } from './completion.js';
export {
  type ConnectTarget,
  type ListenTarget,
  Proactor,
  type ProactorOptions,
} from './proactor.js';
export { ProactorConnection } from './proactor-connection.js';
export { type ProactorServerOptions, ProactorTCPServer } from './proactor-tcp-server.js';
export { ProactorUDPServer } from './proactor-udp-server.js';
export { ReadInProgressError } from './read-in-progress-error.js';
export type { ReadPath } from './read-path.js';
export type { AsyncSocketOptions } from './socket-settings.js';
export type { BackendChoice, BackendPreference } from './uring-backend.js';
