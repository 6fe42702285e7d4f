// A ForkingTCPServer child: loads the handler once, then serves one
// connection at a time on its main thread with blocking read(2)/write(2)
// on the descriptor the parent passed. Idle, it leaves when its channel
// closes; busy when the server dies, it is killed by the server's reaper
// (child-reaper.ts): its event loop cannot see the channel close then.
import {
  type HandlerClass,
  loadHandler,
  runRequest,
  type ServerInfo,
} from '@iomodels/contract/core';
import { closeHandle, descriptorOf, receivedHandle, setBlocking } from '@iomodels/fd';
import { DescriptorConnection } from './descriptor-connection.js';
import { PendingFin } from './pending-fin.js';
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
const fin = new PendingFin((id) => send({ type: 'shutdown', id }));
const { handler } = JSON.parse(process.argv[2] ?? '{}') as RunnerBoot;
/** The server's description: it comes with this child's first connection. */
let serverInfo: ServerInfo | undefined;

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
  if (server) serverInfo = Object.freeze(server);
  const handle = receivedHandle(raw);
  setBlocking(handle, true);
  const connection = new DescriptorConnection(descriptorOf(handle), remote, local, readBuffer, {
    // The parent holds its own copy of the descriptor and its event loop is
    // free: it sends the FIN. Our bytes are already in the kernel, ahead of it.
    shutdownWrite: () => send({ type: 'shutdown', id }),
    close: () => fin.closed(id),
  });
  const outcome = await runRequest(
    handlerClass,
    connection,
    serverInfo!,
    new AbortController().signal,
    (error) => send({ type: 'error', id, error: toWireError(error) }),
  );
  fin.ended();
  // uv_close closes our copy of the descriptor at once (the callback comes
  // later): 'done' may go now, and the parent's release sends the FIN.
  void closeHandle(handle);
  send({ type: 'done', id, outcome });
}
