// A ThreadingTCPServer thread: loads the handler once, then serves one
// connection at a time with real blocking read(2)/write(2) on the
// descriptor. The hot path is the handler's own loop: one reused read
// buffer, no message to the main thread per read or write.
import { parentPort, workerData } from 'node:worker_threads';
import {
  type HandlerClass,
  loadHandler,
  runRequest,
  ServerClosedError,
  type ServerInfo,
} from '@iomodels/contract/core';
import { DescriptorConnection } from './descriptor-connection.js';
import { PendingFin } from './pending-fin.js';
import type { DispatcherMessage, RunnerBoot, RunnerMessage, ServeMessage } from './wire.js';
import { toWireError } from './wire.js';

const port = parentPort!;
const { handler, abortFlag } = workerData as RunnerBoot & { abortFlag: Int32Array };
const post = (message: RunnerMessage) => port.postMessage(message);
const readBuffer = Buffer.allocUnsafe(64 * 1024);
let current: { id: number; controller: AbortController } | undefined;
const fin = new PendingFin((id) => post({ type: 'shutdown', id }));
/** The server's description: it comes with this thread's first connection. */
let serverInfo: ServerInfo | undefined;

let handlerClass: HandlerClass;
try {
  handlerClass = await loadHandler(handler);
  port.on('message', (message: DispatcherMessage) => {
    if (message.type === 'serve') void serve(message);
    else if (current?.id === message.id) abortCurrent();
  });
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'fatal', error: toWireError(error) });
}

function abortCurrent(): void {
  if (current && !current.controller.signal.aborted) {
    current.controller.abort(new ServerClosedError('server is shutting down'));
  }
}

async function serve({ id, fd, remote, local, server }: ServeMessage): Promise<void> {
  if (server) serverInfo = Object.freeze(server);
  const controller = new AbortController();
  current = { id, controller };
  const connection = new DescriptorConnection(fd, remote, local, readBuffer, {
    shutdownWrite: () => post({ type: 'shutdown', id }),
    close: () => fin.closed(id),
    // The main thread sets the flag; a handler busy in blocking calls never
    // returns to this thread's event loop, so the check rides on its IO.
    beforeIo: () => {
      if (Atomics.load(abortFlag, 0) === id) abortCurrent();
    },
  });
  const outcome = await runRequest(
    handlerClass,
    connection,
    serverInfo!,
    controller.signal,
    (error) => post({ type: 'error', id, error: toWireError(error) }),
  );
  current = undefined;
  fin.ended();
  post({ type: 'done', id, outcome });
}
