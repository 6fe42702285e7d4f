// One datagram as a request: the packet, who sent it, where it arrived.
// A datagram has no connection, so this is all a handler gets (Python's
// `DatagramRequestHandler` gets `(data, socket)` and `client_address`).
import type { Address } from '../address.js';
import type { Awaitable, Sendable } from '../connection.js';
import type { ServerInfo } from '../server-info.js';

/** What a datagram handler receives. */
export interface DatagramRequest {
  /** The whole datagram, at most `limits.maxPacketSize` bytes (a larger one never reaches a handler). */
  readonly data: Uint8Array;
  /** The sender; the reply goes there. */
  readonly client: Address;
  /** The server's address the datagram arrived at. */
  readonly local: Address;
  /** Fires when the server shuts down or the request passed `limits.datagramTimeout`. */
  readonly signal: AbortSignal;
}

/**
 * A handler's answer: bytes or text (UTF-8) sent back as one datagram, or
 * `undefined` for no reply. An empty string or array is sent as an empty datagram.
 */
export type DatagramReply = Sendable | undefined;

/** A datagram handler written as a function: one request in, the reply (or nothing) out. */
export type DatagramHandlerFunction = (
  request: DatagramRequest,
  server: ServerInfo,
) => Awaitable<DatagramReply>;
