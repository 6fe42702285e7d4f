// A ForkingTCPServer child: loads the handler once, then serves one
// connection at a time on its main thread with blocking read(2)/write(2)
// on the descriptor the parent passed. It exits when the parent goes away.
import { Worker } from 'node:worker_threads';
import { type HandlerClass, loadHandler, runRequest } from '@iomodels/contract';
import { closeHandle, descriptorOf, receivedHandle, setBlocking } from '@iomodels/fd';
import { DescriptorConnection } from './descriptor-connection.js';
import {
  type DispatcherMessage,
  type RunnerBoot,
  type RunnerMessage,
  type ServeMessage,
  toWireError,
} from './wire.js';

const ignore = () => {}; // a send racing the parent's close fails with EPIPE: nothing to do
const send = (message: RunnerMessage) => {
  if (process.connected) process.send!(message, undefined, undefined, ignore);
};
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const { handler } = JSON.parse(process.argv[2] ?? '{}') as RunnerBoot;

watchParent();
let handlerClass: HandlerClass;
try {
  handlerClass = await loadHandler(handler);
  process.on('message', (message: DispatcherMessage, handle: unknown) => {
    if (message.type === 'serve') void serve(message, handle);
  });
  // Idle, a closed channel means the server closed or died: leave.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready' });
} catch (error) {
  send({ type: 'fatal', error: toWireError(error) });
  process.exitCode = 1;
  process.disconnect?.();
}

async function serve({ id, remote, local, server }: ServeMessage, raw: unknown): Promise<void> {
  const handle = receivedHandle(raw);
  setBlocking(handle, true);
  const connection = new DescriptorConnection(descriptorOf(handle), remote, local, readBuffer, {
    // The parent holds its own copy of the descriptor and its event loop is
    // free: it sends the FIN. Our bytes are already in the kernel, ahead of it.
    shutdownWrite: () => send({ type: 'shutdown', id }),
  });
  const outcome = await runRequest(
    handlerClass,
    connection,
    server,
    new AbortController().signal,
    (error) => send({ type: 'error', id, error: toWireError(error) }),
  );
  await closeHandle(handle);
  send({ type: 'done', id, outcome });
}

/**
 * While this process sits in read(2) its event loop cannot see the IPC
 * channel close. A small thread checks the parent instead and ends the
 * process when it was orphaned, so no child outlives its server.
 */
function watchParent(): void {
  const watchdog = new Worker(
    `const { workerData } = require('node:worker_threads');
     setInterval(() => {
       if (process.ppid !== workerData.parent) process.kill(workerData.self, 'SIGKILL');
     }, 500);`,
    {
      eval: true,
      workerData: { parent: process.ppid, self: process.pid },
      stdout: false,
      stderr: false,
    },
  );
  watchdog.on('error', () => {}); // a failed watchdog must not take the child down
  watchdog.unref();
}
