// The portable Connection over a Node `net.Socket`, with the hard output cap.
// Models that keep Node's stream layer use it; the conformance reference
// server uses it; the models that go below the stream bring their own.
import type { Socket } from 'node:net';
import { type Address, toAddress } from './address.js';
import { type Connection, type Sendable, toBytes } from './connection.js';
import { toConnectionError } from './error-mapping.js';
import { ConnectionClosedError, SendStalledError } from './errors.js';
import { DEFAULT_RECV_SIZE, type Limits } from './limits.js';

const EMPTY = new Uint8Array(0);

/** A `Connection` backed by a flowing-off `net.Socket` (reads on demand). */
export class SocketConnection implements Connection {
  readonly remote: Address;
  readonly local: Address;
  readonly #socket: Socket;
  readonly #limits: Limits;
  #ended = false;
  #error: Error | undefined;
  #closed = false;
  #waiters: Array<() => void> = [];

  constructor(socket: Socket, limits: Limits) {
    this.#socket = socket;
    this.#limits = limits;
    this.remote = toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
    this.local = toAddress(socket.localAddress, socket.localPort, socket.localFamily);
    const wake = () => this.#wakeAll();
    socket.on('readable', wake);
    socket.on('end', () => {
      this.#ended = true;
      wake();
    });
    socket.on('error', (error) => {
      this.#error = error;
      wake();
    });
    socket.on('close', () => {
      this.#ended = true;
      wake();
    });
    socket.on('drain', wake);
  }

  /**
   * Up to `maxBytes` bytes; empty at end of stream. An aborted `signal`
   * rejects with its reason and consumes nothing.
   */
  async recv(maxBytes = DEFAULT_RECV_SIZE, signal?: AbortSignal): Promise<Uint8Array> {
    for (;;) {
      signal?.throwIfAborted();
      const chunk = this.#socket.read() as Buffer | null;
      if (chunk !== null) {
        if (chunk.length <= maxBytes) return chunk;
        this.#socket.unshift(chunk.subarray(maxBytes));
        return chunk.subarray(0, maxBytes);
      }
      if (this.#error) throw toConnectionError(this.#error);
      if (this.#ended || this.#socket.destroyed) return EMPTY;
      await this.#nextEvent(signal);
    }
  }

  async sendall(data: Sendable): Promise<void> {
    const bytes = toBytes(data);
    const cap = this.#limits.maxUnsentBytes;
    for (let offset = 0; offset < bytes.length || bytes.length === 0; offset += cap) {
      this.#checkWritable();
      this.#socket.write(bytes.subarray(offset, offset + cap));
      await this.#waitBelowCap();
      if (bytes.length === 0) return;
    }
  }

  shutdownWrite(): void {
    if (!this.#socket.destroyed) this.#socket.end();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const socket = this.#socket;
    if (socket.destroyed) return;
    // FIN after the queued output. The socket is released when the peer
    // closes too; a peer that never does is cut off after the stall timeout.
    socket.end();
    setTimeout(() => socket.destroy(), this.#limits.sendStallTimeout).unref();
  }

  /** Waits while unsent output is at or above `threshold`; aborts after a stall. */
  async #waitBelowCap(threshold = this.#limits.maxUnsentBytes): Promise<void> {
    let lastLength = this.#socket.writableLength;
    let lastProgress = Date.now();
    while (this.#socket.writableLength >= threshold && !this.#socket.destroyed) {
      const timer = setTimeout(() => this.#wakeAll(), this.#limits.sendStallTimeout / 4);
      await this.#nextEvent();
      clearTimeout(timer);
      const length = this.#socket.writableLength;
      if (length < lastLength) lastProgress = Date.now();
      lastLength = length;
      if (Date.now() - lastProgress >= this.#limits.sendStallTimeout) {
        this.#socket.destroy();
        throw new SendStalledError(
          `peer read nothing of ${length} unsent bytes for ${this.#limits.sendStallTimeout} ms`,
        );
      }
    }
    this.#checkWritable();
  }

  #checkWritable(): void {
    if (this.#error) throw toConnectionError(this.#error);
    if (this.#socket.destroyed || this.#socket.writableEnded) {
      throw new ConnectionClosedError('connection is closed for writing');
    }
  }

  #nextEvent(signal?: AbortSignal): Promise<void> {
    if (!signal) return new Promise((resolve) => this.#waiters.push(resolve));
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== wake);
        reject(signal.reason);
      };
      const wake = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiters.push(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}
