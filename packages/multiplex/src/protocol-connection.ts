// The bridge from events to calls: a Protocol that is also the contract's
// Connection, so a portable handler (`await conn.recv()`) runs on the
// reactor. Its receive queue is bounded; past the bound it pauses the
// transport, and TCP pushes back on the peer.
import {
  type Address,
  type Connection,
  ConnectionClosedError,
  DEFAULT_RECV_SIZE,
  type IdleTimeoutError,
  type Limits,
  ReadInProgressError,
  type Sendable,
  toBytes,
} from '@iomodels/contract';
import { ConnectionAborted, ConnectionDone } from './errors.js';
import type { PushProducer } from './producer.js';
import { type HalfCloseableProtocol, Protocol } from './protocol.js';
import type { IdleAwareProtocol } from './tcp-transport.js';
import type { Transport } from './transport.js';

const EMPTY = new Uint8Array(0);
const UNKNOWN: Address = { host: '', port: 0, family: 'IPv4' };

// State bits, one field instead of four booleans (this object exists per connection).
const READ_PAUSED = 1;
const EOF = 2;
const WRITE_PAUSED = 4;
const CLOSED = 8;

// A shared executor that hands out a new promise's resolving functions, so a
// pending `recv` allocates no executor closure of its own (Node 20 has no
// `Promise.withResolvers`).
let capturedResolve: ((value: never) => void) | undefined;
let capturedReject: ((error: Error) => void) | undefined;
function captureResolvers(resolve: (value: never) => void, reject: (error: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * One connection seen from both sides. As a protocol it queues what
 * arrives (pausing the transport at `maxReceiveBuffer`); as a push producer
 * registered on its transport it learns when output backs up, and
 * `sendall` then waits. `recv` and `sendall` return plain values when they
 * need not wait, so the common case allocates no promise; a pending `recv`
 * is resolved straight from `dataReceived`, without queueing.
 */
export class ProtocolConnection
  extends Protocol
  implements Connection, HalfCloseableProtocol, PushProducer, IdleAwareProtocol
{
  remote: Address;
  readonly #limits: Limits;
  #state = 0;
  /** Received, not yet taken by `recv`; created on the first chunk nobody waited for. */
  #queue: Buffer[] | undefined;
  #queued = 0;
  #error: Error | undefined;
  /** The pending `recv`, if any: its promise's resolving functions and its `maxBytes`. */
  #readResolve: ((data: Uint8Array) => void) | undefined;
  #readReject: ((error: Error) => void) | undefined;
  #readMax = 0;
  /** The pending `sendall`, if any. */
  #writeResolve: (() => void) | undefined;
  #writeReject: ((error: Error) => void) | undefined;
  /** Set by `connectionLost`; `lost` is made only when someone asks. */
  #lostReason: Error | undefined;
  #lost: Promise<Error> | undefined;
  #resolveLost: ((reason: Error) => void) | undefined;

  /**
   * @param limits the bounds (`maxReceiveBuffer`, `maxUnsentBytes`).
   * @param remote the peer's address, if the caller already has it; else
   *   it is read from the transport.
   */
  constructor(limits: Limits, remote?: Address) {
    super();
    this.#limits = limits;
    this.remote = remote ?? UNKNOWN;
  }

  /** Resolves with the `connectionLost` reason once the connection is gone. */
  get lost(): Promise<Error> {
    if (this.#lost === undefined) {
      const reason = this.#lostReason;
      this.#lost =
        reason !== undefined
          ? Promise.resolve(reason)
          : new Promise((resolve) => {
              this.#resolveLost = resolve;
            });
    }
    return this.#lost;
  }

  /**
   * This end's address, read on first use (a getsockname(2) that most
   * handlers never need, ~4 % of a short connection's cost when eager); the
   * transport keeps it. Read it while connected: once closed it is unknown.
   */
  get local(): Address {
    return this.transport === undefined ? UNKNOWN : this.transport.getHost();
  }

  override makeConnection(transport: Transport): void {
    if (this.remote === UNKNOWN) this.remote = transport.getPeer();
    super.makeConnection(transport);
  }

  override connectionMade(): void {
    this.transport.registerProducer(this, true);
  }

  override dataReceived(data: Buffer): void {
    const resolve = this.#readResolve;
    if (resolve !== undefined) {
      // A recv is waiting, so nothing is queued: hand the chunk over directly.
      const max = this.#readMax;
      this.#readResolve = undefined;
      this.#readReject = undefined;
      if (data.length <= max) {
        resolve(data);
        return;
      }
      resolve(data.subarray(0, max));
      data = data.subarray(max);
    }
    if (this.#queue === undefined) this.#queue = [data];
    else this.#queue.push(data);
    this.#queued += data.length;
    if (this.#queued >= this.#limits.maxReceiveBuffer && !(this.#state & READ_PAUSED)) {
      this.#state |= READ_PAUSED;
      this.transport.pauseProducing();
    }
  }

  readConnectionLost(): void {
    this.#state |= EOF;
    this.#wakeReader();
  }

  writeConnectionLost(): void {}

  /** The contract's idle rule: a pending and every later `recv` rejects with `error`; the transport then closes. */
  idleTimedOut(error: IdleTimeoutError): void {
    this.#error ??= error;
    this.#wakeReader();
  }

  override connectionLost(reason: Error): void {
    super.connectionLost(reason);
    this.#state |= EOF;
    // Our own close or abort is an end of stream to the handler, not its error.
    if (!ConnectionDone.isInstance(reason) && !ConnectionAborted.isInstance(reason)) {
      this.#error = reason;
    }
    this.#wakeReader();
    const reject = this.#writeReject;
    this.#writeResolve = undefined;
    this.#writeReject = undefined;
    reject?.(this.#error ?? new ConnectionClosedError('connection is closed'));
    this.#lostReason = reason;
    const resolveLost = this.#resolveLost;
    this.#resolveLost = undefined;
    resolveLost?.(reason);
  }

  recv(maxBytes = DEFAULT_RECV_SIZE): Uint8Array | Promise<Uint8Array> {
    if (this.#queued > 0) return this.#take(maxBytes);
    if (this.#error) throw this.#error;
    if (this.#state & EOF) return EMPTY;
    if (this.#readResolve !== undefined) {
      // The contract's rule: the second recv fails at once, the pending one is unaffected.
      return Promise.reject(new ReadInProgressError());
    }
    this.#readMax = maxBytes;
    const promise = new Promise<Uint8Array>(captureResolvers);
    this.#readResolve = capturedResolve as (data: Uint8Array) => void;
    this.#readReject = capturedReject;
    capturedResolve = capturedReject = undefined;
    return promise;
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
    if (this.#state & WRITE_PAUSED) return this.#waitWritable();
  }

  shutdownWrite(): void {
    if (this.connected) this.transport.loseWriteConnection();
  }

  close(): void {
    if (this.#state & CLOSED) return;
    this.#state |= CLOSED;
    if (!this.connected) return;
    this.transport.unregisterProducer();
    this.transport.loseConnection();
  }

  /** Producer: output is backed up. */
  pauseProducing(): void {
    this.#state |= WRITE_PAUSED;
  }

  /** Producer: output drained. */
  resumeProducing(): void {
    this.#state &= ~WRITE_PAUSED;
    const resolve = this.#writeResolve;
    this.#writeResolve = undefined;
    this.#writeReject = undefined;
    resolve?.();
  }

  /** Producer: the connection is going away; `connectionLost` follows. */
  stopProducing(): void {}

  async #sendLarge(bytes: Uint8Array): Promise<void> {
    const cap = this.#limits.maxUnsentBytes;
    for (let offset = 0; offset < bytes.length; offset += cap) {
      this.#checkWritable();
      this.transport.write(bytes.subarray(offset, offset + cap));
      if (this.#state & WRITE_PAUSED) await this.#waitWritable();
    }
  }

  #waitWritable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#writeResolve = resolve;
      this.#writeReject = reject;
    });
  }

  #checkWritable(): void {
    if (this.#error) throw this.#error;
    if (!this.connected || this.#state & CLOSED || this.transport.disconnecting) {
      throw new ConnectionClosedError('connection is closed for writing');
    }
  }

  #take(maxBytes: number): Uint8Array {
    const queue = this.#queue as Buffer[];
    const head = queue[0] as Buffer;
    let out: Buffer;
    if (head.length <= maxBytes) {
      queue.shift();
      out = head;
    } else {
      out = head.subarray(0, maxBytes);
      queue[0] = head.subarray(maxBytes);
    }
    this.#queued -= out.length;
    if (this.#state & READ_PAUSED && this.#queued < this.#limits.maxReceiveBuffer / 2) {
      this.#state &= ~READ_PAUSED;
      if (this.connected) this.transport.resumeProducing();
    }
    return out;
  }

  #wakeReader(): void {
    const resolve = this.#readResolve;
    if (resolve === undefined) return;
    const reject = this.#readReject as (error: Error) => void;
    this.#readResolve = undefined;
    this.#readReject = undefined;
    if (this.#error) reject(this.#error);
    else resolve(EMPTY);
  }
}
