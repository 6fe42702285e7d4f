// The per-connection event handler (Twisted's Protocol): events are past
// tense and arrive from the transport; commands go back through
// `this.transport`.
import type { Factory } from './factory.js';
import type { Transport } from './transport.js';

/**
 * Subclass it and override the events you need. One instance per
 * connection, built by a factory. `transport` is set by `makeConnection`
 * before `connectionMade` runs.
 */
export class Protocol {
  /** The connection; set when the connection is made. */
  transport!: Transport;
  /** True between `makeConnection` and `connectionLost`. */
  connected = false;
  /** The factory that built this protocol, if any. */
  factory: Factory | undefined;

  /** Called by the transport: stores it and fires `connectionMade`. */
  makeConnection(transport: Transport): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up. */
  connectionMade(): void {}

  /** Bytes arrived. Chunks follow the network, not your messages: frame them (see `LineReceiver`). */
  dataReceived(_data: Buffer): void {}

  /**
   * The connection is gone. `reason` is `ConnectionDone` for a clean close,
   * `ConnectionLost` / `ConnectionAborted` / a `ConnectionResetError` otherwise.
   */
  connectionLost(_reason: Error): void {
    this.connected = false;
  }
}

/**
 * A protocol that opts in to half-close (Twisted's IHalfCloseableProtocol):
 * the peer's FIN calls `readConnectionLost` instead of closing the
 * connection, and the connection stays writable until `loseConnection` or
 * `loseWriteConnection`.
 */
export interface HalfCloseableProtocol {
  /** The peer sent FIN: no more `dataReceived`. */
  readConnectionLost(): void;
  /** Our FIN went out after `loseWriteConnection()`. */
  writeConnectionLost(): void;
}

/** True when `protocol` implements the half-close events. */
export function isHalfCloseable(protocol: object): protocol is HalfCloseableProtocol {
  return typeof (protocol as Partial<HalfCloseableProtocol>).readConnectionLost === 'function';
}
