// The runner behind a ThreadingUDPServer thread and a ForkingUDPServer
// child: loads the datagram handler once, then handles one datagram at a
// time as the server sends them, and sends back the handler's result. The
// reply itself goes out from the server's socket, on its event loop (a
// thread or child has no socket to send it from: see the README).
import {
  type DatagramHandler,
  DatagramTimeoutError,
  loadDatagramHandler,
  runDatagramRequest,
  ServerClosedError,
  type ServerInfo,
} from '@iomodels/contract/core';
import type { DatagramServeMessage } from './datagram-wire.js';
import type { RunnerSide } from './descriptor-runner.js';
import { base64, type RunnerBoot, toWireError, unbase64 } from './wire.js';

/**
 * Loads the handler and handles datagrams as the server sends them.
 * Resolves `true` once it said `ready`, `false` if the handler could not be
 * loaded (it said `fatal`).
 */
export async function runDatagramRunner(
  boot: RunnerBoot,
  side: Pick<RunnerSide, 'post' | 'listen'>,
): Promise<boolean> {
  let handler: DatagramHandler;
  try {
    handler = await loadDatagramHandler(boot.handler);
  } catch (error) {
    side.post({ type: 'fatal', error: toWireError(error) });
    return false;
  }
  /** The server's description: it comes with this runner's first datagram. */
  let serverInfo: ServerInfo | undefined;
  let current: { id: number; controller: AbortController } | undefined;

  const serve = async (message: DatagramServeMessage) => {
    const { id, data, client, local, server } = message;
    if (server) serverInfo = Object.freeze(server);
    const controller = new AbortController();
    current = { id, controller };
    const request = { data: unbase64(data), client, local, signal: controller.signal };
    const { outcome, reply } = await runDatagramRequest(handler, request, serverInfo!, (error) =>
      side.post({ type: 'error', id, error: toWireError(error) }),
    );
    current = undefined;
    side.post({
      type: 'done',
      id,
      outcome: outcome === 'failed' ? 'failed' : 'completed',
      datagram: { outcome, ...(reply && { reply: base64(reply) }) },
    });
  };

  side.listen((message) => {
    if (message.type === 'datagram') void serve(message);
    // Shutdown or `datagramTimeout`: a handler that awaits hears it; one in
    // synchronous code only once it returns (it is then too late to matter).
    else if (message.type === 'abort' && current?.id === message.id) {
      const ms = serverInfo?.limits.datagramTimeout;
      current.controller.abort(
        message.timedOut
          ? new DatagramTimeoutError(`datagram request ran past ${ms} ms (datagramTimeout)`)
          : new ServerClosedError('server is shutting down'),
      );
    }
  });
  side.post({ type: 'ready' });
  return true;
}
