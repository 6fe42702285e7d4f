// Python's socketserver.DatagramRequestHandler: one instance per datagram;
// `handle()` reads `this.rfile` (the packet) and writes `this.wfile` (the
// reply), or simply returns the reply. The runner sends it as one datagram.
import type { Address } from '../address.js';
import type { Awaitable } from '../connection.js';
import type { ServerInfo } from '../server-info.js';
import type { DatagramReply, DatagramRequest } from './datagram-request.js';
import { PacketReader } from './packet-reader.js';
import { PacketWriter } from './packet-writer.js';

/**
 * Subclass it and implement `handle()`. The reply is what `handle()` returns
 * when that is not `undefined`, else what it wrote to `wfile` (if it wrote
 * anything), else there is none — a request may go unanswered. `setup →
 * handle → finish` as for streams; `finish()` runs even when `handle()` threw.
 */
export abstract class DatagramRequestHandler {
  /** Marks datagram handlers, so a stream handler given to a UDP server is refused by name. */
  static readonly datagram = true;
  /** The received datagram, readable in pieces or lines (Python's `rfile`). */
  readonly rfile: PacketReader;
  /** The reply, sent as one datagram after `handle()` (Python's `wfile`). */
  readonly wfile = new PacketWriter();

  constructor(
    /** The datagram and its addresses (Python's `self.request` is `(data, socket)`). */
    readonly request: DatagramRequest,
    readonly server: ServerInfo,
  ) {
    this.rfile = new PacketReader(request.data);
  }

  /** The sender (Python's `client_address`). */
  get clientAddress(): Address {
    return this.request.client;
  }

  /** Fires on shutdown or past `limits.datagramTimeout`. */
  get signal(): AbortSignal {
    return this.request.signal;
  }

  /** Runs before `handle()`. If it throws, neither `handle()` nor `finish()` runs (as in Python). */
  setup(): Awaitable<void> {}

  /** Serves the datagram: return the reply, or write it to `wfile`, or neither for no reply. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler that only writes `wfile` declares `void`, as stream handlers do
  abstract handle(): Awaitable<DatagramReply | void>;

  /** Runs after `handle()`, even when it threw. */
  finish(): Awaitable<void> {}
}

/** A datagram handler class: what UDP servers accept in-process and what module references name. */
export type DatagramHandlerClass = (new (
  request: DatagramRequest,
  server: ServerInfo,
) => DatagramRequestHandler) & { readonly datagram: true };
