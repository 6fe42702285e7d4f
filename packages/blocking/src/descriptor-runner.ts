// The one runner entry behind a ThreadingTCPServer thread and a
// ForkingTCPServer child: loads the handler once, then serves one
// connection at a time with real blocking read(2)/write(2) on the
// descriptor it is handed. The hot path is the handler's own loop: one
// reused read buffer, no message to the server per read or write. What
// differs between a thread and a child — how messages travel, where the
// descriptor comes from, where a fired signal is read — is the `RunnerSide`
// each entry file passes in.
import {
  type HandlerClass,
  IdleTimeoutError,
  loadHandler,
  runRequest,
  ServerClosedError,
  type ServerInfo,
  withProxyHeader,
} from '@iomodels/contract/core';
import { DescriptorConnection } from './descriptor-connection.js';
import { PendingFin } from './pending-fin.js';
import {
  type DispatcherMessage,
  fromWireProxyHeader,
  type RunnerBoot,
  type RunnerMessage,
  type ServeMessage,
  toWireError,
} from './wire.js';

/** A connection's descriptor, as a runner holds it while the handler runs. */
export interface HeldDescriptor {
  readonly fd: number;
  /** Lets go of this runner's copy once the handler returned (a child's; a thread holds none). */
  release?(): void;
}

/** What a thread and a child do differently. */
export interface RunnerSide {
  /** Sends a message to the server. */
  post(message: RunnerMessage): void;
  /** Calls `listener` with each message from the server (and the handle a child receives with one). */
  listen(listener: (message: DispatcherMessage, handle: unknown) => void): void;
  /**
   * The id of the connection whose signal the server fired, 0 if none:
   * read synchronously, because a handler in blocking calls never returns
   * to the event loop where the server's message waits. A side that reads
   * it only now and then reads it now if `endOfStream` (a read returned 0).
   */
  abortRequested(endOfStream?: boolean): number;
  /**
   * The id of the connection the server found idle past `idleTimeout`, 0
   * if none, as of the last `abortRequested()` (which reads both at once).
   */
  timedOut(): number;
  /** Bytes moved on the current connection: the activity the server's idle watch counts. */
  touch(): void;
  /** The descriptor that came with `message` (and, for a child, `handle`), switched to blocking. */
  hold(message: ServeMessage, handle: unknown): HeldDescriptor;
}

/**
 * Loads the handler and serves connections as the server sends them.
 * Resolves `true` once it said `ready`, `false` if the handler could not be
 * loaded (it said `fatal`).
 */
export async function runDescriptorRunner(boot: RunnerBoot, side: RunnerSide): Promise<boolean> {
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const fin = new PendingFin((id) => side.post({ type: 'shutdown', id }));
  /** The server's description: it comes with this runner's first connection. */
  let serverInfo: ServerInfo | undefined;
  let current: { id: number; controller: AbortController } | undefined;

  let handlerClass: HandlerClass;
  try {
    handlerClass = await loadHandler(boot.handler);
  } catch (error) {
    side.post({ type: 'fatal', error: toWireError(error) });
    return false;
  }

  const abortCurrent = () => {
    if (current && !current.controller.signal.aborted) {
      current.controller.abort(new ServerClosedError('server is shutting down'));
    }
  };
  // The server fired the signal: a handler that awaits something else than
  // IO hears it from the message; one in blocking calls at its next call.
  const checkSignal = (endOfStream?: boolean) => {
    if (current && side.abortRequested(endOfStream) === current.id) abortCurrent();
  };

  // No idle timeout: no activity to count.
  const idleTimeout = boot.idleTimeout ?? 0;
  const touch = idleTimeout > 0 ? () => side.touch() : () => {};

  const serve = async (message: ServeMessage, handle: unknown) => {
    const { id, remote, local, server, proxyHeader } = message;
    if (server) serverInfo = Object.freeze(server);
    const held = side.hold(message, handle);
    const controller = new AbortController();
    current = { id, controller };
    // The server's idle verdict (it marked the connection and sent FIN):
    // this and every later recv rejects, whether the read returned data or
    // the end of stream a well-behaved peer answers the FIN with.
    let idleError: IdleTimeoutError | undefined;
    const checkIdle = () => {
      if (idleError === undefined && idleTimeout > 0 && side.timedOut() === id) {
        idleError = new IdleTimeoutError(idleTimeout);
      }
      if (idleError) throw idleError;
    };
    const connection = new DescriptorConnection(held.fd, remote, local, readBuffer, {
      // The server holds the socket and its event loop is free: it sends
      // the FIN. Our bytes are already in the kernel, ahead of it.
      shutdownWrite: () => side.post({ type: 'shutdown', id }),
      close: () => fin.closed(id),
      beforeIo: checkSignal,
      beforeRead: checkIdle,
      afterRead: (bytes) => {
        checkSignal(bytes === 0);
        if (bytes > 0) touch();
        checkIdle();
      },
      afterWrite: touch,
    });
    const outcome = await runRequest(
      handlerClass,
      withProxyHeader(connection, proxyHeader && fromWireProxyHeader(proxyHeader)),
      serverInfo!,
      controller.signal,
      (error) => side.post({ type: 'error', id, error: toWireError(error) }),
    );
    current = undefined;
    fin.ended();
    // A child's copy closes at once (uv_close): 'done' may go now, and the
    // server's release sends the FIN.
    held.release?.();
    side.post({ type: 'done', id, outcome });
  };

  side.listen((message, handle) => {
    if (message.type === 'serve') void serve(message, handle);
    else if (current?.id === message.id) abortCurrent();
  });
  side.post({ type: 'ready' });
  return true;
}
