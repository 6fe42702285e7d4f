// The portable Connection over a Node `net.Socket`, with the hard output cap
// and the contract's per-connection rules (one recv at a time, idle timeout,
// send stall, linger after FIN). Models that keep Node's stream layer use
// it; the conformance reference server uses it; the models that go below
// the stream bring their own.
import type { Socket } from 'node:net';
import { type Address, socketAddresses } from './address.js';
import { closeWithLinger } from './close-with-linger.js';
import { type Connection, type Sendable, toBytes } from './connection.js';
import { toConnectionError } from './error-mapping.js';
import { ConnectionClosedError, type IdleTimeoutError, ReadInProgressError } from './errors.js';
import { IdleWatch } from './idle-watch.js';
import { DEFAULT_RECV_SIZE, type Limits } from './limits.js';
import { resetSocket } from './reset-socket.js';
import { SendStallWatch } from './send-stall-watch.js';

const EMPTY = new Uint8Array(0);

/** Per-connection settings beyond the limits. */
export interface SocketConnectionOptions {
  /** The contract's idle timeout in ms (nothing received or sent that long); 0/undefined = never. */
  idleTimeout?: number;
}

/** A `Connection` backed by a flowing-off `net.Socket` (reads on demand). */
export class SocketConnection implements Connection {
  readonly remote: Address;
  readonly local: Address;
  readonly #socket: Socket;
  readonly #limits: Limits;
  readonly #idle: IdleWatch | undefined;
  readonly #stall: SendStallWatch;
  #ended = false;
  #error: Error | undefined;
  #idleError: IdleTimeoutError | undefined;
  #reading = false;
  #closed = false;
  #waiters: Array<() => void> = [];

  constructor(socket: Socket, limits: Limits, options: SocketConnectionOptions = {}) {
    this.#socket = socket;
    this.#limits = limits;
    ({ remote: this.remote, local: this.local } = socketAddresses(socket));
    this.#idle = IdleWatch.start(options.idleTimeout, (error) => this.#onIdle(error));
    this.#stall = new SendStallWatch(
      limits.sendStallTimeout,
      () => socket.writableLength,
      (error) => {
        this.#error ??= error;
        resetSocket(socket);
        this.#wakeAll();
      },
    );
    socket.on('readable', () => {
      this.#idle?.touch();
      this.#wakeAll();
    });
    socket.on('end', () => {
      this.#ended = true;
      this.#wakeAll();
    });
    socket.on('error', (error) => {
      this.#error ??= error;
      this.#wakeAll();
    });
    socket.on('close', () => {
      this.#ended = true;
      this.#idle?.stop();
      this.#stall.stop();
      this.#wakeAll();
    });
    socket.on('drain', () => {
      this.#idle?.touch();
      this.#wakeAll();
    });
  }

  /**
   * Up to `maxBytes` bytes; empty at end of stream. An aborted `signal`
   * rejects with its reason and consumes nothing. A second call while one is
   * pending rejects at once with `ReadInProgressError`; after the idle
   * timeout every call rejects with `IdleTimeoutError`.
   */
  async recv(maxBytes = DEFAULT_RECV_SIZE, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.#reading) {
      throw new ReadInProgressError();
    }
    this.#reading = true;
    try {
      return await this.#recv(maxBytes, signal);
    } finally {
      this.#reading = false;
    }
  }

  async sendall(data: Sendable): Promise<void> {
    const bytes = toBytes(data);
    const cap = this.#limits.maxUnsentBytes;
    for (let offset = 0; offset < bytes.length || bytes.length === 0; offset += cap) {
      this.#checkWritable();
      this.#socket.write(bytes.subarray(offset, offset + cap));
      this.#idle?.touch();
      await this.#waitBelowCap();
      if (bytes.length === 0) return;
    }
  }

  shutdownWrite(): void {
    if (!this.#socket.destroyed) this.#socket.end();
  }

  /** FIN after the queued output, then up to `limits.lingerTimeout` for the peer's FIN, then RST. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    closeWithLinger(this.#socket, this.#limits.lingerTimeout);
  }

  async #recv(maxBytes: number, signal: AbortSignal | undefined): Promise<Uint8Array> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.#idleError) throw this.#idleError;
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

  /** The contract's idle rule: `recv` rejects from now on, and the connection closes. */
  #onIdle(error: IdleTimeoutError): void {
    this.#idleError = error;
    this.#wakeAll();
    void this.close();
  }

  /** Waits while unsent output is at or above the cap; the stall watch aborts a stuck peer. */
  async #waitBelowCap(): Promise<void> {
    const threshold = this.#limits.maxUnsentBytes;
    if (this.#socket.writableLength >= threshold) this.#stall.arm();
    while (this.#socket.writableLength >= threshold && !this.#socket.destroyed) {
      await this.#nextEvent();
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
