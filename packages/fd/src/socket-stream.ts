// The ByteStream over the public net.Socket API: the fallback where the
// handle-level stream is unavailable, and the same contract, so the owner
// has one code path. Reads are copied into the owner's buffer (the socket
// allocated its own chunk already); writes go through the Writable.
import type net from 'node:net';
import { TLSSocket } from 'node:tls';
import {
  type Address,
  resetSocket,
  socketAddresses,
  toAddress,
  unixAddress,
} from '@iomodels/contract/core';
import type { ByteStream, ByteStreamListener, WriteDone } from './byte-stream.js';

const STREAM = Symbol('socketStream');
type OwnedSocket = net.Socket & { [STREAM]: SocketStream };

// Shared listeners (`this` is the socket): no closures per connection.
function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[STREAM].deliver(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this[STREAM].ended();
}
function onSocketDrain(this: OwnedSocket): void {
  this[STREAM].drained();
}
function onSocketError(this: OwnedSocket, error: Error): void {
  this[STREAM].failed(error);
}

/**
 * Wraps `socket` (never read yet, or paused) as a ByteStream. The socket
 * keeps its handle and stays its server's connection.
 */
export function socketStream(
  socket: net.Socket,
  listener: ByteStreamListener,
  buffer: Uint8Array,
): SocketStream {
  return new SocketStream(socket, listener, buffer);
}

/** See {@link socketStream}. */
export class SocketStream implements ByteStream {
  readonly kind = 'socket';
  readonly #socket: net.Socket;
  readonly #listener: ByteStreamListener;
  readonly #remote: Address;
  #buffer: Uint8Array;
  #reading = false;
  #ended = false;
  #failed = false;
  /** A write did not complete at once: `onDrain` is owed once nothing is pending. */
  #drainOwed = false;
  /**
   * Passed with every write: the Writable emits 'drain' only after a write
   * reached its high-water mark, so a smaller write that went async would
   * otherwise never report its completion.
   */
  readonly #written = (): void => this.drained();

  constructor(socket: net.Socket, listener: ByteStreamListener, buffer: Uint8Array) {
    this.#socket = socket;
    this.#listener = listener;
    this.#buffer = buffer;
    this.#remote = socketAddresses(socket).remote;
    // FIN from the peer must not end our side: the owner decides.
    socket.allowHalfOpen = true;
    (socket as OwnedSocket)[STREAM] = this;
    socket.on('data', onSocketData);
    socket.on('end', onSocketEnd);
    socket.on('drain', onSocketDrain);
    socket.on('error', onSocketError);
    this.readStart();
  }

  get pendingBytes(): number {
    return this.#socket.writableLength;
  }

  get reading(): boolean {
    return this.#reading;
  }

  get closed(): boolean {
    return this.#socket.destroyed;
  }

  /** @internal A chunk arrived: copied into the owner's buffer, in pieces if larger. */
  deliver(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && this.#reading) {
      const length = Math.min(this.#buffer.byteLength, chunk.length - offset);
      this.#buffer.set(chunk.subarray(offset, offset + length));
      offset += length;
      const next = this.#listener.onData(this.#buffer, length);
      if (next !== undefined) this.#buffer = next;
    }
    // Bytes that arrived after a readStop go back to the socket for later.
    if (offset < chunk.length) this.#socket.unshift(chunk.subarray(offset));
  }

  /** @internal */
  ended(): void {
    this.#reading = false;
    this.#ended = true;
    this.#listener.onEnd();
  }

  /** @internal A write completed, or 'drain': report `onDrain` if one is owed and nothing is pending. */
  drained(): void {
    if (!this.#drainOwed || this.#socket.writableLength !== 0 || this.#socket.destroyed) return;
    this.#drainOwed = false;
    this.#listener.onDrain();
  }

  /** @internal */
  failed(error: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#reading = false;
    this.#listener.onError(error);
  }

  write(data: Uint8Array, done?: WriteDone): boolean {
    const pending = done ? new PendingWrite(this, this.#socket, done) : undefined;
    this.#socket.write(data, pending?.callback ?? this.#written);
    return this.#completedAtOnce(pending);
  }

  writeString(text: string, done?: WriteDone): boolean {
    const pending = done ? new PendingWrite(this, this.#socket, done) : undefined;
    this.#socket.write(text, 'utf8', pending?.callback ?? this.#written);
    return this.#completedAtOnce(pending);
  }

  /** Complete at once when nothing is left in the Writable; `done` is then not called. */
  #completedAtOnce(pending: PendingWrite | undefined): boolean {
    const complete = this.#socket.writableLength === 0 && !this.#socket.destroyed;
    if (!complete) this.#drainOwed = true;
    else if (pending) pending.cancelled = true;
    return complete;
  }

  readStart(): void {
    if (this.#reading || this.#ended || this.#socket.destroyed) return;
    this.#reading = true;
    this.#socket.resume();
  }

  readStop(): void {
    if (!this.#reading) return;
    this.#reading = false;
    this.#socket.pause();
  }

  shutdown(done?: WriteDone): void {
    // end()'s callback gets the error when the stream is destroyed before the FIN went.
    this.#socket.end(done && ((error?: Error | null) => done(error ?? null)));
  }

  close(done?: () => void): void {
    if (done) {
      if (this.#socket.closed) queueMicrotask(done);
      else this.#socket.once('close', () => done());
    }
    this.#socket.destroy();
  }

  reset(done?: () => void): void {
    if (done) {
      if (this.#socket.closed) queueMicrotask(done);
      else this.#socket.once('close', () => done());
    }
    if (this.#socket.destroyed) return;
    // A TLSSocket's handle is the TLS layer, not TCP: Node cannot RST through
    // it (ERR_INVALID_HANDLE_TYPE), so a TLS connection is closed instead.
    if (this.#socket instanceof TLSSocket) this.#socket.destroy();
    else resetSocket(this.#socket);
  }

  setNoDelay(enabled: boolean): void {
    this.#socket.setNoDelay(enabled);
  }

  setKeepAlive(enabled: boolean, initialDelayMs = 0): void {
    this.#socket.setKeepAlive(enabled, initialDelayMs);
  }

  remote(): Address {
    return this.#remote;
  }

  local(): Address {
    // Decided by the remote end, read while the socket was open: a closed TCP socket forgets its ports.
    if (this.#remote.family === 'unix') return unixAddress();
    const s = this.#socket;
    return toAddress(s.localAddress, s.localPort, s.localFamily);
  }
}

/** A write's `done`, unless the write turned out to complete at once (Node calls back later anyway). */
class PendingWrite {
  cancelled = false;
  readonly callback: (error?: Error | null) => void;
  constructor(stream: SocketStream, socket: net.Socket, done: WriteDone) {
    this.callback = (error) => {
      if (!this.cancelled) {
        // Node completes a write its destroy cancelled with no error; the owner must hear it failed.
        done(error ?? (socket.destroyed ? cancelledWrite() : null));
      }
      stream.drained();
    };
  }
}

function cancelledWrite(): Error {
  const error = new Error('write ECANCELED: the stream was closed first') as NodeJS.ErrnoException;
  error.code = 'ECANCELED';
  return error;
}
