// What a protocol writes to and controls its connection through (Twisted's
// ITransport + ITCPTransport + IConsumer + IPushProducer), as an interface:
// the TCP transport and the testing StringTransport both implement it.
import type { Address } from '@iomodels/contract';
import type { Consumer, PushProducer } from './producer.js';

/**
 * One connection as a protocol sees it. As a consumer it takes a producer;
 * as a push producer it is the source of `dataReceived` calls:
 * `pauseProducing()` stops reading from the peer, `resumeProducing()`
 * resumes, `stopProducing()` is `loseConnection()`.
 */
export interface Transport extends Consumer, PushProducer {
  /** True once `loseConnection()` (or `abortConnection()`) was called. */
  readonly disconnecting: boolean;
  /** Queues `data` for the peer; never blocks (see the TCP transport for the bounds). */
  write(data: Uint8Array | string): void;
  /** Writes each item in order, as one batch where possible. */
  writeSequence(data: Iterable<Uint8Array | string>): void;
  /** Flushes the pending output, then closes. `connectionLost` follows. */
  loseConnection(): void;
  /** Closes at once with a reset (RST), dropping pending output. */
  abortConnection(): void;
  /** Half-close: flush, then send FIN; keep reading. */
  loseWriteConnection(): void;
  /** The peer's address. */
  getPeer(): Address;
  /** This side's address. */
  getHost(): Address;
}
