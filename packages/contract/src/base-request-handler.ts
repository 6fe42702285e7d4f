// The handler contract, named as in Python's socketserver: one instance per
// connection; the runner calls setup → handle → finish.
import type { Address } from './address.js';
import type { Awaitable, Connection } from './connection.js';
import type { ServerInfo } from './server-info.js';

const neverAborted = new AbortController().signal;

/**
 * Subclass it and implement `handle()`. `request` is the connection
 * (Python's `self.request`); `signal` fires when the server shuts down, so a
 * long-running handler can stop at a convenient point.
 */
export abstract class BaseRequestHandler<C extends Connection = Connection> {
  constructor(
    readonly request: C,
    readonly clientAddress: Address,
    readonly server: ServerInfo,
    readonly signal: AbortSignal = neverAborted,
  ) {}

  /** Runs before `handle()`. If it throws, neither `handle()` nor `finish()` runs (as in Python). */
  setup(): Awaitable<void> {}

  /** Serves the connection. Returning (or throwing) ends it. */
  abstract handle(): Awaitable<void>;

  /** Runs after `handle()`, even when it threw. */
  finish(): Awaitable<void> {}
}

/** A handler class: what servers accept in-process and what module references name. */
export type HandlerClass<C extends Connection = Connection> = new (
  request: C,
  clientAddress: Address,
  server: ServerInfo,
  signal?: AbortSignal,
) => BaseRequestHandler<C>;
