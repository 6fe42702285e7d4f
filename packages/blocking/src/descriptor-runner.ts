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
import { DescriptorConnection, type DescriptorHooks } from './descriptor-connection.js';
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
   * to the event loop where the server's message waits. `afterRead`: the
   * byte count a read(2) just returned (absent before a read or a write),
   * for a side that reads it only now and then (abort-flag.ts).
   */
  abortRequested(afterRead?: number): number;
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
  /**
   * The connection being served. `idleError`: the server's idle verdict (it
   * marked the connection and sent FIN): this and every later recv rejects,
   * whether the read returned data or the end of stream a well-behaved peer
   * answers the FIN with.
   */
  let current:
    | { id: number; controller: AbortController; idleError?: IdleTimeoutError }
    | undefined;

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
  const checkSignal = (afterRead?: number) => {
    if (current && side.abortRequested(afterRead) === current.id) abortCurrent();
  };
  const idleTimeout = boot.idleTimeout ?? 0;
  const checkIdle = () => {
    if (!current) return;
    if (current.idleError === undefined && side.timedOut() === current.id) {
      current.idleError = new IdleTimeoutError(idleTimeout);
    }
    if (current.idleError) throw current.idleError;
  };
  // The calls every read and write makes, the same functions for every
  // connection. Without an idle timeout there is no verdict to check and
  // no activity to count: the signal alone.
  const perCall: Pick<DescriptorHooks, 'beforeRead' | 'afterRead' | 'beforeWrite' | 'afterWrite'> =
    idleTimeout > 0
      ? {
          beforeRead: () => {
            checkSignal();
            checkIdle();
          },
          afterRead: (bytes) => {
            checkSignal(bytes);
            if (bytes > 0) side.touch();
            checkIdle();
          },
          beforeWrite: checkSignal,
          afterWrite: () => side.touch(),
        }
      : {
          beforeRead: checkSignal,
          afterRead: checkSignal,
          beforeWrite: checkSignal,
        };

  const serve = async (message: ServeMessage, handle: unknown) => {
    const { id, remote, local, server, proxyHeader } = message;
    if (server) serverInfo = Object.freeze(server);
    const held = side.hold(message, handle);
    const controller = new AbortController();
    current = { id, controller };
    const connection = new DescriptorConnection(held.fd, remote, local, readBuffer, {
      // The server holds the socket and its event loop is free: it sends
      // the FIN. Our bytes are already in the kernel, ahead of it.
      shutdownWrite: () => side.post({ type: 'shutdown', id }),
      close: () => fin.closed(id),
      ...perCall,
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
