// The suite proven on the reference server: every test passes.
import { describeConformance, ReferenceTCPServer } from '../src/index.js';

describeConformance('reference server', {
  async start(handler, options) {
    const server = new ReferenceTCPServer(handler, options);
    await server.listen();
    return server;
  },
});
