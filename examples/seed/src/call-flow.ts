// The seed's "源码剖析", runnable: program 1's server and handler with each
// step of Python's ThreadingTCPServer call flow printed as it happens here,
// the Python step on the left, ours on the right (call-flow.md links each
// one to its code). `npm run seed -- call-flow`, then call it with the client.
import type { Socket } from 'node:net';
import { threadId } from 'node:worker_threads';
import { type ThreadingServerOptions, ThreadingTCPServer } from '@iomodels/blocking';
import {
  type PendingRequest,
  platformDemultiplexer,
  type RequestContext,
  type RequestTask,
} from '@iomodels/contract';
import { announce, isMain, seedPort } from './seed-program.js';
import { MyServer } from './threading-server.js';

/** One step: the seed's name for it, then what runs here. */
function step(python: string, ours: string): void {
  console.log(`${python.padEnd(40)} → ${ours}`);
}

const address = ({ host, port }: { host: string; port: number }) => `('${host}', ${port})`;

/** Program 1's `MyServer`, telling each call the runner makes (in its worker thread). */
export class TracedMyServer extends MyServer {
  constructor(...args: ConstructorParameters<typeof MyServer>) {
    super(...args);
    step(
      'process_request_thread → finish_request',
      `thread ${threadId}: new MyServer(request, ${address(this.clientAddress)}, server)`,
    );
  }

  override setup(): void {
    step('BaseRequestHandler.__init__ → setup', `thread ${threadId}: setup()`);
  }

  override handle(): void {
    step(
      'BaseRequestHandler.__init__ → handle',
      `thread ${threadId}: handle(), the 10086 dialogue`,
    );
    super.handle();
  }

  override finish(): void {
    step(
      'BaseRequestHandler.__init__ → finish',
      `thread ${threadId}: finish(), then the connection closes`,
    );
  }
}

/** Program 1's server, telling the steps that run on the main thread. */
class TracedThreadingTCPServer extends ThreadingTCPServer {
  constructor(handler: { module: string; export: string }, options: ThreadingServerOptions) {
    step('TCPServer.__init__, BaseServer.__init__', 'new ThreadingTCPServer(MyServer, options)');
    super(handler, options);
  }

  override verifyRequest(request: PendingRequest): boolean {
    step('get_request, verify_request', `verifyRequest(${address(request.remote)})`);
    return super.verifyRequest(request);
  }

  protected override processRequest(socket: Socket, context: RequestContext): RequestTask {
    step(
      'ThreadingMixIn.process_request',
      'processRequest(): the descriptor goes to a pooled thread',
    );
    return super.processRequest(socket, context);
  }
}

async function main(): Promise<void> {
  const server = new TracedThreadingTCPServer(
    { module: import.meta.url, export: 'TracedMyServer' },
    { host: '127.0.0.1', port: seedPort(8009) },
  );
  const where = await server.listen();
  announce(where);
  step(
    'serve_forever',
    `serveForever(): libuv waits on ${address(where)} (${platformDemultiplexer()})`,
  );
  await server.serveForever();
}

// Not a top-level await: the server imports this very module for the handler.
if (isMain(import.meta.url)) void main();
