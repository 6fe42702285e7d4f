// The datagram suite proven on the reference UDP server (every test passes),
// and proven able to fail: a server that truncates an oversized datagram,
// as Python's recvfrom(8192) does, instead of dropping it.
import type { Address } from '@iomodels/contract';
import {
  DATAGRAM_CONFORMANCE_TESTS,
  describeDatagramConformance,
  ReferenceUDPServer,
} from '../src/index.js';

describeDatagramConformance('reference UDP server', {
  async start(handler, options) {
    const server = new ReferenceUDPServer(handler, options);
    await server.listen();
    return server;
  },
});

class TruncatingUDPServer extends ReferenceUDPServer {
  protected override datagramReceived(data: Uint8Array, client: Address): void {
    super.datagramReceived(data.subarray(0, this.limits.maxPacketSize), client);
  }
}

describeDatagramConformance('a server that truncates oversized datagrams', {
  async start(handler, options) {
    const server = new TruncatingUDPServer(handler, options);
    await server.listen();
    return server;
  },
  expectFailures: [DATAGRAM_CONFORMANCE_TESTS.oversized],
});
