// The worker side of a worker-hosted server: loads the server class from its
// built module, constructs and listens, then mirrors what the host thread
// must read synchronously (the counters) into shared memory, reads the
// host's verifyRequest decision from it, and forwards errors and the
// shutdown report as messages. See worker-hosted-server.ts.
//
// A serial server blocks this thread's event loop while it serves a client:
// messages from the host (close, handleRequest) are then handled between
// clients. Shared memory is written synchronously, from inside the server's
// own accept and request paths, so it is current even then.
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import type {
  Address,
  BaseServer,
  PendingRequest,
  RequestContext,
  RequestTask,
} from '@iomodels/contract';
import {
  type HostMessage,
  SLOT,
  serializeError,
  VERIFY,
  type WorkerHostData,
  type WorkerMessage,
} from './worker-hosted-protocol.js';

const data = workerData as WorkerHostData;
const port = parentPort!;
const slots = new Int32Array(data.shared);
let server: BaseServer | undefined;
/** True once this thread took the host's close message. */
let closeSeen = false;
/**
 * Requests that were open when the host called close() and finished on their
 * own before this thread could take the close message (a serial server takes
 * it only between clients). The host's close() waited for them: they count
 * as completed in its report.
 */
let finishedBeforeCloseSeen = 0;

function post(message: WorkerMessage): void {
  port.postMessage(message);
}

/** Copies the server's counters into shared memory. */
function publish(): void {
  if (!server) return;
  const stats = server.stats();
  Atomics.store(slots, SLOT.accepted, stats.accepted);
  Atomics.store(slots, SLOT.active, stats.active);
  Atomics.store(slots, SLOT.completed, stats.completed);
  Atomics.store(slots, SLOT.failed, stats.failed);
  Atomics.store(slots, SLOT.timedOut, stats.timedOut);
  Atomics.store(slots, SLOT.refused, stats.refused);
  Atomics.store(slots, SLOT.proxyRefused, stats.proxyRefused);
}

/**
 * Every accepted socket: publish the counters before it is destroyed (a
 * refused connection is counted, then destroyed: the peer must not see the
 * close before the host can see the count), and once the accept is done.
 */
function watchSocket(socket: net.Socket): void {
  const destroy = socket.destroy;
  socket.destroy = function (this: net.Socket, error?: Error) {
    publish();
    return destroy.call(this, error);
  } as net.Socket['destroy'];
  queueMicrotask(publish);
}

// The server's listener is private to it: watch every listening socket this
// thread creates (it hosts one server) by wrapping net.createServer.
const createServer = net.createServer;
(net as { createServer: typeof net.createServer }).createServer = ((...args: unknown[]) => {
  const listener = (createServer as (...a: unknown[]) => net.Server)(...args);
  listener.prependListener('connection', watchSocket);
  return listener;
}) as typeof net.createServer;
syncBuiltinESMExports();

/** Routes the server's decision points through shared memory and messages. */
function instrument(target: BaseServer): void {
  const ownVerify = target.verifyRequest.bind(target);
  target.verifyRequest = (request: PendingRequest): boolean => {
    switch (Atomics.load(slots, SLOT.verify)) {
      case VERIFY.accept:
        return true;
      case VERIFY.refuse:
        return false;
      case VERIFY.throws:
        throw new Error('verifyRequest threw on the hosting thread when it was assigned');
      default:
        return ownVerify(request);
    }
  };

  const ownHandleError = target.handleError.bind(target);
  target.handleError = (error: unknown, clientAddress: Address): void => {
    post({ type: 'error', error: serializeError(error), address: { ...clientAddress } });
    ownHandleError(error, clientAddress);
  };

  // processRequest is protected; the base server calls it through `this`.
  const dispatch = target as unknown as {
    processRequest(socket: net.Socket, context: RequestContext): RequestTask;
  };
  const processRequest = dispatch.processRequest.bind(target);
  dispatch.processRequest = (socket, context) => {
    const task = processRequest(socket, context);
    const openBeforeClose = Atomics.load(slots, SLOT.closeRequested) === 0;
    void task.done.then(() => {
      if (openBeforeClose && !closeSeen && Atomics.load(slots, SLOT.closeRequested) === 1) {
        finishedBeforeCloseSeen++;
      }
      // This reaction runs before the base server's own (which counts the
      // outcome): publish once that one has run too.
      queueMicrotask(publish);
    });
    queueMicrotask(publish);
    return task;
  };
}

async function start(): Promise<void> {
  const namespace = (await import(data.server.module)) as Record<string, unknown>;
  const ServerClass = namespace[data.server.export] as
    | (new (
        handler: WorkerHostData['handler'],
        options: Record<string, unknown>,
      ) => BaseServer)
    | undefined;
  if (typeof ServerClass !== 'function' || typeof ServerClass.prototype?.listen !== 'function') {
    throw new TypeError(
      `${data.server.module} has no server class "${data.server.export}" ` +
        `(it exports: ${Object.keys(namespace).join(', ') || 'nothing'})`,
    );
  }
  // Errors reach the host through handleError; the worker itself logs nothing.
  const hosted = new ServerClass(data.handler, { ...data.options, log: () => {} });
  instrument(hosted);
  server = hosted;
  await hosted.listen();
  publish();
  post({
    type: 'ready',
    address: { ...hosted.address },
    model: hosted.model,
    mode: hosted.mode,
    description: hosted.describe(),
  });
}

port.on('message', (message: HostMessage) => {
  const hosted = server;
  if (!hosted) return;
  switch (message.type) {
    case 'close':
      closeSeen = true;
      void hosted.close({ timeout: message.timeout }).then((report) => {
        publish();
        post({
          type: 'closed',
          report: { ...report, completed: report.completed + finishedBeforeCloseSeen },
        });
      });
      break;
    case 'handleRequest':
      hosted.handleRequest().then(
        (outcome) => post({ type: 'outcome', id: message.id, outcome }),
        (error: unknown) => post({ type: 'outcome', id: message.id, error: serializeError(error) }),
      );
      break;
  }
});

start().catch((error: unknown) => post({ type: 'failed', error: serializeError(error) }));
