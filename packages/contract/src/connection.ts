// What every model hands a handler: Python's socket methods, awaitable so
// one handler runs on every model (awaiting a plain value is legal).
import type { Address } from './address.js';
import type { ProxyHeader } from './proxy/proxy-header.js';

/** A value, or a promise of it: blocking models return values, the others promises. */
export type Awaitable<T> = T | Promise<T>;

/** Bytes or text (encoded as UTF-8) to send. */
export type Sendable = Uint8Array | string;

/** The connection a portable handler talks through. */
export interface Connection {
  readonly remote: Address;
  readonly local: Address;
  /**
   * The PROXY protocol header the connection began with (`proxyProtocol`
   * option), TLVs included; absent when the server takes none. `remote` is
   * already its source.
   */
  readonly proxyHeader?: ProxyHeader;
  /** Up to `maxBytes` bytes as soon as any arrive; empty when the peer has closed. */
  recv(maxBytes?: number): Awaitable<Uint8Array>;
  /** Sends every byte or throws; waits while the peer is slow (bounded by the limits). */
  sendall(data: Sendable): Awaitable<void>;
  /** Half-close: send FIN, keep reading. */
  shutdownWrite(): Awaitable<void>;
  /** Flush, send FIN and release the socket. Idempotent. */
  close(): Awaitable<void>;
}

/** The same connection with synchronous calls: a real blocking `read(2)`/`write(2)`. */
export interface BlockingConnection extends Connection {
  recv(maxBytes?: number): Uint8Array;
  sendall(data: Sendable): void;
  shutdownWrite(): void;
  close(): void;
}

const encoder = new TextEncoder();

/** Normalises what `sendall` accepts to bytes. */
export function toBytes(data: Sendable): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/**
 * Gives `connection` its `proxyHeader` (for models whose connection classes
 * are built before the header is known to them); returns the connection.
 */
export function withProxyHeader<C extends Connection>(connection: C, header?: ProxyHeader): C {
  if (header) Object.defineProperty(connection, 'proxyHeader', { value: header, enumerable: true });
  return connection;
}
