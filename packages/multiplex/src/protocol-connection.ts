// The bridge from events to calls: a Protocol that is also the contract's
// Connection, so a portable handler (`await conn.recv()`) runs on the
// reactor. Its receive queue is bounded; past the bound it pauses the
// transport, and TCP pushes back on the peer.
import {
  type Address,
  type Connection,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  type Limits,
  type Sendable,
  toBytes,
} from '@iomodels/contract';
import { ConnectionAborted, ConnectionDone } from './errors.js';
import type { PushProducer } from './producer.js';
import { type HalfCloseableProtocol, Protocol } from './protocol.js';
import type { Transport } from './transport.js';

const EMPTY = new Uint8Array(0);
const UNKNOWN: Address = { host: '', port: 0, family: 'IPv4' };

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

/**
 * One connection seen from both sides. As a protocol it queues what
 * arrives (pausing the transport at `maxReceiveBuffer`); as a push producer
 * registered on its transport it learns when output backs up, and
 * `sendall` then waits. `recv` and `sendall` return plain values when they
 * need not wait, so the common case allocates no promise.
 */
export class ProtocolConnection
  extends Protocol
  implements Connection, HalfCloseableProtocol, PushProducer
{
  remote: Address = UNKNOWN;
  local: Address = UNKNOWN;
  /** Resolves with the `connectionLost` reason once the connection is gone. */
  readonly lost: Promise<Error>;
  readonly #limits: Limits;
  #resolveLost!: (reason: Error) => void;
  #queue: Buffer[] = [];
  #queued = 0;
  #readPaused = false;
  #eof = false;
  #error: Error | undefined;
  #reader: (Waiter<Uint8Array> & { max: number }) | undefined;
  #writePaused = false;
  #writer: Waiter<void> | undefined;
  #closed = false;

  constructor(limits: Limits) {
    super();
    this.#limits = limits;
    this.lost = new Promise((resolve) => {
      this.#resolveLost = resolve;
    });
  }

  override makeConnection(transport: Transport): void {
    this.remote = transport.getPeer();
    this.local = transport.getHost();
    super.makeConnection(transport);
  }

  override connectionMade(): void {
    this.transport.registerProducer(this, true);
  }

  override dataReceived(data: Buffer): void {
    const reader = this.#reader;
    if (reader !== undefined && this.#queued === 0) {
      this.#reader = undefined;
      if (data.length <= reader.max) {
        reader.resolve(data);
        return;
      }
      reader.resolve(data.subarray(0, reader.max));
      data = data.subarray(reader.max);
    }
    this.#queue.push(data);
    this.#queued += data.length;
    if (this.#queued >= this.#limits.maxReceiveBuffer && !this.#readPaused) {
      this.#readPaused = true;
      this.transport.pauseProducing();
    }
  }

  readConnectionLost(): void {
    this.#eof = true;
    this.#wakeReader();
  }

  writeConnectionLost(): void {}

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.#eof = true;
    // Our own close or abort is an end of stream to the handler, not its error.
    if (!ConnectionDone.isInstance(reason) && !ConnectionAborted.isInstance(reason)) {
      this.#error = reason;
    }
    this.#wakeReader();
    const writer = this.#writer;
    this.#writer = undefined;
    writer?.reject(this.#error ?? new ConnectionClosedError('connection is closed'));
    this.#resolveLost(reason);
  }

  recv(maxBytes = DEFAULT_RECV_SIZE): Uint8Array | Promise<Uint8Array> {
    if (this.#queued > 0) return this.#take(maxBytes);
    if (this.#error) throw this.#error;
    if (this.#eof) return EMPTY;
    if (this.#reader !== undefined) throw new Error('recv() is already pending');
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject, max: maxBytes };
    });
  }

  sendall(data: Sendable): void | Promise<void> {
    this.#checkWritable();
    if (typeof data === 'string' && data.length * 3 <= this.#limits.maxUnsentBytes) {
      if (data.length === 0) return;
      this.transport.write(data);
    } else {
      const bytes = toBytes(data);
      if (bytes.length > this.#limits.maxUnsentBytes) return this.#sendLarge(bytes);
      if (bytes.length === 0) return;
      this.transport.write(bytes);
    }
    if (this.#writePaused) return this.#waitWritable();
  }

  shutdownWrite(): void {
    if (this.connected) this.transport.loseWriteConnection();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (!this.connected) return;
    this.transport.unregisterProducer();
    this.transport.loseConnection();
  }

  /** Producer: output is backed up. */
  pauseProducing(): void {
    this.#writePaused = true;
  }

  /** Producer: output drained. */
  resumeProducing(): void {
    this.#writePaused = false;
    const writer = this.#writer;
    this.#writer = undefined;
    writer?.resolve();
  }

  /** Producer: the connection is going away; `connectionLost` follows. */
  stopProducing(): void {}

  async #sendLarge(bytes: Uint8Array): Promise<void> {
    const cap = this.#limits.maxUnsentBytes;
    for (let offset = 0; offset < bytes.length; offset += cap) {
      this.#checkWritable();
      this.transport.write(bytes.subarray(offset, offset + cap));
      if (this.#writePaused) await this.#waitWritable();
    }
  }

  #waitWritable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#writer = { resolve, reject };
    });
  }

  #checkWritable(): void {
    if (this.#error) throw this.#error;
    if (!this.connected || this.#closed || this.transport.disconnecting) {
      throw new ConnectionClosedError('connection is closed for writing');
    }
  }

  #take(maxBytes: number): Uint8Array {
    const head = this.#queue[0] as Buffer;
    let out: Buffer;
    if (head.length <= maxBytes) {
      this.#queue.shift();
      out = head;
    } else {
      out = head.subarray(0, maxBytes);
      this.#queue[0] = head.subarray(maxBytes);
    }
    this.#queued -= out.length;
    if (this.#readPaused && this.#queued < this.#limits.maxReceiveBuffer / 2) {
      this.#readPaused = false;
      if (this.connected) this.transport.resumeProducing();
    }
    return out;
  }

  #wakeReader(): void {
    const reader = this.#reader;
    if (reader === undefined) return;
    this.#reader = undefined;
    if (this.#error) reader.reject(this.#error);
    else reader.resolve(EMPTY);
  }
}
