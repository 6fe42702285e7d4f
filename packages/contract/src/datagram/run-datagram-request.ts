// The one datagram request runner every model uses (in whichever thread or
// process runs the handler): setup → handle → finish, the reply gathered,
// errors reported, never thrown.
import { toBytes } from '../connection.js';
import type { ErrorSink } from '../run-request.js';
import type { ServerInfo } from '../server-info.js';
import type { DatagramHandlerFunction, DatagramRequest } from './datagram-request.js';
import type { DatagramHandlerClass } from './datagram-request-handler.js';

/** A loaded datagram handler: a `DatagramRequestHandler` subclass or a plain function. */
export type DatagramHandler = DatagramHandlerClass | DatagramHandlerFunction;

/**
 * How a datagram request ended: `replied` (there is a reply to send),
 * `unanswered` (the handler chose none), `failed` (it threw; reported, no
 * reply), `timedOut` (it ran past `datagramTimeout`; set by the server, not here).
 */
export type DatagramOutcome = 'replied' | 'unanswered' | 'failed' | 'timedOut';

/** A finished request: its outcome and, when `replied`, the datagram to send back. */
export interface DatagramResult {
  readonly outcome: DatagramOutcome;
  readonly reply?: Uint8Array;
}

/** True for a handler class (it has `handle` on its prototype), false for a function. */
export function isDatagramHandlerClass(handler: DatagramHandler): handler is DatagramHandlerClass {
  return typeof handler.prototype?.handle === 'function';
}

/**
 * Runs one datagram request, as Python's `finish_request` does for
 * `DatagramRequestHandler`: for a class `setup()`, `handle()`, `finish()`
 * (always after `handle()`), the reply being `handle()`'s return value or
 * else what it wrote to `wfile`; for a function, its return value. An error
 * goes to `onError` with the client address and there is no reply. Never rejects.
 */
export async function runDatagramRequest(
  handler: DatagramHandler,
  request: DatagramRequest,
  server: ServerInfo,
  onError: ErrorSink,
): Promise<DatagramResult> {
  try {
    if (!isDatagramHandlerClass(handler)) return result(await handler(request, server));
    const instance = new handler(request, server);
    await instance.setup();
    let returned: unknown;
    try {
      returned = await instance.handle();
    } finally {
      await instance.finish();
    }
    if (returned !== undefined) return result(returned as Uint8Array | string);
    return instance.wfile.written ? result(instance.wfile.getValue()) : result(undefined);
  } catch (error) {
    try {
      onError(error, request.client);
    } catch {
      // a throwing error sink must not take the server down
    }
    return { outcome: 'failed' };
  }
}

function result(reply: Uint8Array | string | undefined): DatagramResult {
  if (reply === undefined) return { outcome: 'unanswered' };
  if (typeof reply !== 'string' && !(reply instanceof Uint8Array)) {
    throw new TypeError(
      `a datagram reply must be bytes, a string or undefined, got ${typeof reply}`,
    );
  }
  return { outcome: 'replied', reply: toBytes(reply) };
}
