// The shared behaviour suite, run against ReactorTCPServer on a reactor of its own.
import { describeConformance } from '@iomodels/conformance';
import { Reactor, ReactorTCPServer } from '../src/index.js';

const reactor = new Reactor();

describeConformance('multiplex/reactor', {
  async start(handler, options) {
    const server = new ReactorTCPServer(handler, { ...options, reactor });
    await server.listen();
    return server;
  },
});
