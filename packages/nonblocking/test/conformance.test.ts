import { describeConformance } from '@iomodels/conformance';
import { PollingTCPServer } from '../src/index.js';

describeConformance('nonblocking (polling)', {
  async start(handler, options) {
    const server = new PollingTCPServer(handler, options);
    await server.listen();
    return server;
  },
});

describeConformance('nonblocking (busy polling, pollInterval 0)', {
  async start(handler, options) {
    const server = new PollingTCPServer(handler, { ...options, pollInterval: 0 });
    await server.listen();
    return server;
  },
});
