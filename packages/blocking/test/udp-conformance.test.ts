// The shared datagram suite, for all three modes.
import { ForkingUDPServer, ThreadingUDPServer, UDPServer } from '@iomodels/blocking';
import { describeDatagramConformance } from '@iomodels/conformance';

for (const [mode, Server] of [
  ['serial', UDPServer],
  ['threading', ThreadingUDPServer],
  ['forking', ForkingUDPServer],
] as const) {
  describeDatagramConformance(`blocking/${mode}`, {
    async start(handler, options) {
      const server = new Server(handler, options);
      await server.listen();
      return server;
    },
  });
}
