// The shared behaviour suite, for the two modes that can run it in-process.
// TCPServer (serial) cannot: it blocks the event loop while it serves, and
// the suite's clients share that loop, so every dialogue would deadlock.
// bin.test.ts drives it from another process through the bin instead.
import { ForkingTCPServer, ThreadingTCPServer } from '@iomodels/blocking';
import { describeConformance } from '@iomodels/conformance';

describeConformance('blocking/threading', {
  async start(handler, options) {
    const server = new ThreadingTCPServer(handler, options);
    await server.listen();
    return server;
  },
});

describeConformance('blocking/forking', {
  async start(handler, options) {
    const server = new ForkingTCPServer(handler, options);
    await server.listen();
    return server;
  },
});
