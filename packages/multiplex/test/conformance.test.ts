// The shared behaviour suite, run against ReactorTCPServer on a reactor of its
// own — on the handle-level byte stream, and again on the net.Socket fallback.
// Over TLS once: a TLS session always runs on the public-API stream, whatever the kind.
import { describeConformance } from '@iomodels/conformance';
import { Reactor, ReactorTCPServer } from '../src/index.js';
import { STREAM_KIND } from '../src/reactor.js';

for (const kind of ['handle', 'socket'] as const) {
  const reactor = new Reactor();
  reactor[STREAM_KIND] = kind;
  describeConformance(
    kind === 'handle' ? 'multiplex/reactor' : 'multiplex/reactor (socket stream)',
    {
      transports: kind === 'handle' ? ['tcp', 'unix', 'tls'] : ['tcp', 'unix'],
      async start(handler, options) {
        const server = new ReactorTCPServer(handler, { ...options, reactor });
        await server.listen();
        return server;
      },
    },
  );
}
