// The shared behaviour suite, run on ProactorTCPServer.
import { describeConformance } from '@iomodels/conformance';
import { ProactorTCPServer } from '../src/index.js';

describeConformance('async/proactor', {
  async start(handler, options) {
    const server = new ProactorTCPServer(handler, options);
    await server.listen();
    return server;
  },
});
