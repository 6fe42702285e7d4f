// @iomodels/contract/testing — unit-test a portable handler without a
// socket: an in-memory connection pair and a ServerInfo (what Twisted's
// StringTransport is for protocols). Handler-side only, like `./core`.
export {
  type ConnectionPairOptions,
  connectionPair,
  TEST_SERVER_ADDRESS,
} from './connection-pair.js';
export { MemoryConnection } from './memory-connection.js';
export { proxyHeaderV1, proxyHeaderV2 } from './proxy-header-bytes.js';
export {
  type ServeDatagramOptions,
  serveDatagram,
  TEST_CLIENT_ADDRESS,
} from './serve-datagram.js';
export { type TestServerInfoOptions, testServerInfo } from './test-server-info.js';
