// The shared behaviour suite, for all three modes. TCPServer (serial) blocks
// its thread's event loop while it serves, and the suite's clients run on
// the test's thread: it runs in a worker thread, behind a stand-in
// (startInWorker), as it would run in a process of its own.
import { ForkingTCPServer, ThreadingTCPServer } from '@iomodels/blocking';
import { describeConformance, startInWorker } from '@iomodels/conformance';

/** What no blocking mode can do, and why (see the README, "Other limits of the model"). */
const blockingSkips = {
  concurrentRecv:
    'recv is a synchronous read(2): it returns before the handler can call recv again, ' +
    'so two can never be pending',
} as const;

describeConformance('blocking/threading', {
  async start(handler, options) {
    const server = new ThreadingTCPServer(handler, options);
    await server.listen();
    return server;
  },
  skip: blockingSkips,
});

describeConformance('blocking/forking', {
  async start(handler, options) {
    const server = new ForkingTCPServer(handler, options);
    await server.listen();
    return server;
  },
  skip: blockingSkips,
});

/** Built: a worker cannot load TypeScript. */
const serialServer = { module: new URL('../dist/index.js', import.meta.url), export: 'TCPServer' };

describeConformance('blocking/serial', {
  start: (handler, options) => startInWorker(serialServer, handler, options),
  skip: {
    ...blockingSkips,
    idleTimeout:
      'TCPServer waits in a blocking read(2) with the only thread it has: no timer runs to find ' +
      'the connection idle, and nothing else could send the FIN that ends the read (see the README)',
    concurrency: "TCPServer serves one connection at a time, like Python's TCPServer",
    maxConnections:
      'TCPServer serves one connection at a time: the next one waits in the listen queue ' +
      'until the current one ends, so there is never a connection past the cap to refuse',
    closeWhileReading:
      'TCPServer waits in a blocking read(2) on the silent client with the only thread it has, ' +
      'so close() is taken only when that client hangs up (a handler that goes on reading blocks ' +
      'again before the event loop turns) — as shutdown() in Python',
  },
});
