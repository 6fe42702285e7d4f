// The one request runner every model uses (in whichever thread or process
// runs the handler): setup → handle → finish, errors reported, never thrown.
import type { Address } from './address.js';
import type { HandlerClass } from './base-request-handler.js';
import type { Awaitable, Connection } from './connection.js';
import { IdleTimeoutError } from './errors.js';
import type { ServerInfo } from './server-info.js';

/**
 * How a request ended: the handler returned (`completed`), the connection
 * was idle past the server's `idleTimeout` (`timedOut`: the handler let the
 * `IdleTimeoutError` of its `recv` end it), or something else threw (`failed`).
 */
export type RequestOutcome = 'completed' | 'failed' | 'timedOut';

/** Where a failed request's error goes: the server's `handleError`. */
export type ErrorSink = (error: unknown, clientAddress: Address) => void;

/**
 * Told how a request ended, with the key it was started with (the server's
 * running task), just before the runner's Promise settles: one function for
 * every request, so a server counts outcomes without chaining a `.then` — a
 * closure, a reaction and a Promise — on each idle connection.
 */
export type EndSink<K> = (key: K, outcome: RequestOutcome) => void;

/**
 * What every request of one server shares — `runRequest`'s arguments but
 * the connection —, made once per server: a waiting request's frame then
 * holds three values (this, its connection, its key), not eight.
 */
export interface RequestRunner<K = unknown> {
  readonly handlerClass: HandlerClass;
  readonly server: ServerInfo;
  readonly signal: AbortSignal;
  readonly onError: ErrorSink;
  /** See `runRequest`. */
  readonly released?: ((connection: Connection) => Awaitable<unknown>) | undefined;
  /** Called with the request's key; see {@link EndSink}. */
  readonly ended?: EndSink<K> | undefined;
}

/**
 * Runs one handler over one connection, as Python's `finish_request` +
 * `shutdown_request`: `setup()`, then `handle()` with `finish()` always
 * after it; an error goes to `onError` with the client address — except an
 * `IdleTimeoutError`, a limit doing its job, which makes the outcome
 * `timedOut` and is not reported; the connection is closed in every case.
 * `released`, for a model whose `close()` returns before its socket is
 * released: awaited after the close, so the request ends only then (in
 * this one frame, not a promise chained per connection). Never rejects.
 */
export function runRequest(
  handlerClass: HandlerClass,
  connection: Connection,
  server: ServerInfo,
  signal: AbortSignal,
  onError: ErrorSink,
  released?: (connection: Connection) => Awaitable<unknown>,
): Promise<RequestOutcome> {
  return serveRequest({ handlerClass, server, signal, onError, released }, connection, undefined);
}

/** `runRequest` with what a server's requests share in one {@link RequestRunner}; `key` goes to its `ended`. */
export async function serveRequest<K>(
  runner: RequestRunner<K>,
  connection: Connection,
  key: K,
): Promise<RequestOutcome> {
  const clientAddress = connection.remote;
  let outcome: RequestOutcome = 'completed';
  try {
    const handler = new runner.handlerClass(
      connection,
      clientAddress,
      runner.server,
      runner.signal,
    );
    await handler.setup();
    try {
      await handler.handle();
    } finally {
      await handler.finish();
    }
  } catch (error) {
    outcome = IdleTimeoutError.isInstance(error) ? 'timedOut' : 'failed';
    if (outcome === 'failed') reportError(runner.onError, error, clientAddress);
  }
  try {
    await connection.close();
  } catch {
    // closing a connection the peer already reset is not a new failure
  }
  if (runner.released) await runner.released(connection);
  runner.ended?.(key, outcome);
  return outcome;
}

function reportError(onError: ErrorSink, error: unknown, clientAddress: Address): void {
  try {
    onError(error, clientAddress);
  } catch {
    // a throwing error sink must not take the server down
  }
}
