// The shared behaviour suite, run on ProactorTCPServer: on libuv, and on
// io_uring (backend 'uring') where the ring can run here.
import { describeConformance } from '@iomodels/conformance';
import { ProactorTCPServer } from '../src/index.js';
import { uringSkipReason } from './helpers.js';

describeConformance('async/proactor', {
  transports: ['tcp', 'unix', 'tls'],
  async start(handler, options) {
    const server = new ProactorTCPServer(handler, options);
    await server.listen();
    return server;
  },
});

if (uringSkipReason === null) {
  describeConformance('async/uring', {
    async start(handler, options) {
      const server = new ProactorTCPServer(handler, { ...options, backend: 'uring' });
      await server.listen();
      return server;
    },
  });
}
