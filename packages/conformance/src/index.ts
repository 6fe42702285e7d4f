// @iomodels/conformance — the suite, its handlers and the reference server.

export {
  CHURN_ENDINGS,
  type ChurnEnding,
  type ChurnOptions,
  runChurn,
} from './churn.js';
export type { ConformanceSuite } from './conformance-suite.js';
export {
  DATAGRAM_CONFORMANCE_TESTS,
  type DatagramConformanceSuite,
  type DatagramConformanceTarget,
  type DatagramTestKey,
} from './datagram-conformance-suite.js';
export { type BinUnderTest, describeBinEndpoints } from './describe-bin-endpoints.js';
export { describeBinUdp } from './describe-bin-udp.js';
export {
  CONFORMANCE_TESTS,
  type ConformanceCapability,
  type ConformanceTarget,
  type ConformanceTransport,
  conformanceHandler,
  conformanceHandlersPath,
  describeConformance,
} from './describe-conformance.js';
export { describeDatagramConformance } from './describe-datagram-conformance.js';
export { ReferenceTCPServer } from './reference-server.js';
export { ReferenceUDPServer } from './reference-udp-server.js';
export {
  describeTlsDialogue,
  expectTlsRefused,
  type TestCertificate,
  testCertificate,
} from './tls-case.js';
export { type LossyRelay, startLossyRelay } from './udp-relay.js';
export {
  bytes,
  recvExactly,
  recvText,
  recvUntilClosed,
  seededRandom,
  waitFor,
} from './wire.js';
export {
  startInWorker,
  WorkerHostedServer,
  type WorkerServerModule,
} from './worker-hosted-server.js';
