// @iomodels/blocking — the public surface, by name.
export { DescriptorConnection } from './descriptor-connection.js';
export { type DescriptorIoPath, descriptorIoPath } from './descriptor-io.js';
export {
  DEFAULT_MAX_CHILDREN,
  DEFAULT_SPARE_CHILDREN,
  type ForkingServerOptions,
  ForkingTCPServer,
} from './forking-tcp-server.js';
export { ForkingUDPServer, type ForkingUDPServerOptions } from './forking-udp-server.js';
export { DEFAULT_MAX_QUEUED_CONNECTIONS } from './pool-options.js';
export { TCPServer } from './tcp-server.js';
export {
  DEFAULT_MAX_THREADS,
  DEFAULT_SPARE_THREADS,
  type ThreadingServerOptions,
  ThreadingTCPServer,
} from './threading-tcp-server.js';
export { ThreadingUDPServer, type ThreadingUDPServerOptions } from './threading-udp-server.js';
export { UDPServer } from './udp-server.js';
export {
  ForkingUnixStreamServer,
  ThreadingUnixStreamServer,
  type UnixSocketOptions,
  UnixStreamServer,
} from './unix-stream-servers.js';
