// An in-memory transport (Twisted's proto_helpers.StringTransport): a
// protocol under test writes into it, the test reads `value()` and feeds
// `dataReceived` by hand. No socket, no event loop.
import type { Address } from '@iomodels/contract';
import type { Producer } from '../producer.js';
import type { Transport } from '../transport.js';

/** What a `StringTransport` reports as its producer state. */
export type ProducerState = 'producing' | 'paused' | 'stopped';

const defaultPeer: Address = { host: '192.0.2.1', port: 54321, family: 'IPv4' };
const defaultHost: Address = { host: '127.0.0.1', port: 8009, family: 'IPv4' };

/**
 * Records what a protocol does to its transport. It never calls the
 * protocol back: to simulate the peer, call `protocol.dataReceived(...)` and
 * `protocol.connectionLost(...)` yourself.
 */
export class StringTransport implements Transport {
  /** True after `loseConnection()`. */
  disconnecting = false;
  /** True after `abortConnection()`. */
  aborted = false;
  /** True after `loseWriteConnection()`. */
  writeDisconnected = false;
  /** The registered producer, if any, and whether it streams. */
  producer: Producer | undefined;
  streaming: boolean | undefined;
  /** The transport's own state as a producer of `dataReceived`. */
  producerState: ProducerState = 'producing';
  readonly #peer: Address;
  readonly #host: Address;
  #chunks: Buffer[] = [];

  constructor(options: { peer?: Address; host?: Address } = {}) {
    this.#peer = options.peer ?? defaultPeer;
    this.#host = options.host ?? defaultHost;
  }

  /** Everything written since the last `clear()`. */
  value(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  /** Forgets what was written. */
  clear(): void {
    this.#chunks = [];
  }

  write(data: Uint8Array | string): void {
    this.#chunks.push(typeof data === 'string' ? Buffer.from(data) : Buffer.from(data));
  }

  writeSequence(data: Iterable<Uint8Array | string>): void {
    for (const item of data) this.write(item);
  }

  loseConnection(): void {
    this.disconnecting = true;
  }

  abortConnection(): void {
    this.aborted = true;
    this.disconnecting = true;
  }

  loseWriteConnection(): void {
    this.writeDisconnected = true;
  }

  getPeer(): Address {
    return this.#peer;
  }

  getHost(): Address {
    return this.#host;
  }

  registerProducer(producer: Producer, streaming: boolean): void {
    if (this.producer !== undefined) throw new Error('a producer is already registered');
    this.producer = producer;
    this.streaming = streaming;
    if (!streaming) producer.resumeProducing();
  }

  unregisterProducer(): void {
    this.producer = undefined;
    this.streaming = undefined;
  }

  pauseProducing(): void {
    this.#checkNotStopped();
    this.producerState = 'paused';
  }

  resumeProducing(): void {
    this.#checkNotStopped();
    this.producerState = 'producing';
  }

  stopProducing(): void {
    this.producerState = 'stopped';
  }

  #checkNotStopped(): void {
    if (this.producerState === 'stopped') throw new Error('cannot resume or pause: stopped');
  }
}
