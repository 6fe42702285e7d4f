// Accepting below net.Server: each connection arrives as its bare libuv
// handle, with no net.Socket built around it (its Duplex and stream states,
// its listeners, its destroy on hand-over — ~20 % of a short connection's
// cost on the Reactor). The event-loop models take the handle straight into
// a HandleStream anyway; anything that needs a real socket (the public-API
// fallback) gets one made from the handle on demand.
import net from 'node:net';
import { handleStreamSupported } from './handle-stream.js';

/** The bits of a libuv stream handle (`TCP` or `Pipe`) this file uses. */
interface BareHandle {
  close(callback?: () => void): void;
  getpeername?(out: Record<string, unknown>): number;
  getsockname?(out: Record<string, unknown>): number;
}

/** A listening handle as net.Server keeps it (`server._handle`): libuv calls `onconnection`. */
interface ListenHandle {
  onconnection: (this: ListenHandle, status: number, client?: BareHandle) => void;
}

/**
 * One accepted connection as its bare libuv handle: what a server reads of
 * an accepted net.Socket (its addresses, `destroy`), read straight from the
 * handle. `handleStream` takes the handle out of it as out of a fresh
 * socket; `socketOf` wraps it in a net.Socket where one is needed.
 */
export class AcceptedHandle {
  /** The handle, until a stream takes it or `destroy` closes it (the name net.Socket uses). */
  _handle: BareHandle | null;
  /** Never connecting, never read or written: as a socket fresh from `pauseOnConnect`. */
  readonly connecting = false;
  readonly readableLength = 0;
  readonly bytesRead = 0;
  readonly writableLength = 0;
  /** getpeername(2) and getsockname(2) results, each read once, as net.Socket caches them. */
  readonly #info: { peer?: Record<string, unknown>; local?: Record<string, unknown> } = {};

  constructor(handle: BareHandle) {
    this._handle = handle;
  }

  get destroyed(): boolean {
    return this._handle === null;
  }

  get remoteAddress(): string | undefined {
    return this.#read('peer').address as string | undefined;
  }

  get remotePort(): number | undefined {
    return this.#read('peer').port as number | undefined;
  }

  get remoteFamily(): string | undefined {
    return this.#read('peer').family as string | undefined;
  }

  get localAddress(): string | undefined {
    return this.#read('local').address as string | undefined;
  }

  get localPort(): number | undefined {
    return this.#read('local').port as number | undefined;
  }

  get localFamily(): string | undefined {
    return this.#read('local').family as string | undefined;
  }

  /** Nothing emits on a bare handle: listeners are accepted and never called. */
  on(_event: string, _listener: (...args: never[]) => void): this {
    return this;
  }

  /** Closes the descriptor (a refused connection); after a hand-over, only marks it gone. */
  destroy(): void {
    const handle = this._handle;
    this._handle = null;
    handle?.close();
  }

  /** One end's address from the handle, kept once read; empty when it fails (a Unix `Pipe` handle has none). */
  #read(end: 'peer' | 'local'): Record<string, unknown> {
    const known = this.#info[end];
    if (known !== undefined) return known;
    const out: Record<string, unknown> = {};
    const handle = this._handle;
    const call = end === 'peer' ? handle?.getpeername : handle?.getsockname;
    if (call !== undefined && call.call(handle, out) === 0) this.#info[end] = out;
    return out;
  }
}

/**
 * Delivers `server`'s connections as `AcceptedHandle`s to `accept` instead
 * of as net.Sockets to its 'connection' event, from now on. Call it once the
 * server listens (its listening handle exists; under `node:cluster` it is the
 * worker's stand-in, which libuv's handles are delivered through the same
 * way). Accept errors still reach the server's 'error' event. Returns why it
 * cannot — this runtime lacks the handle internals, the server is not
 * listening — having changed nothing; then 'connection' keeps every one.
 */
export function acceptHandles(
  server: net.Server,
  accept: (connection: AcceptedHandle) => void,
): string | undefined {
  if (!handleStreamSupported()) return "process.binding('stream_wrap')";
  const listening = (server as unknown as { _handle: unknown })._handle;
  if (listening === null || typeof listening !== 'object') return 'the server is not listening';
  const handle = listening as ListenHandle;
  const original = handle.onconnection;
  if (typeof original !== 'function') return 'server._handle.onconnection';
  handle.onconnection = function onconnection(status, client) {
    if (status !== 0 || client === undefined || typeof client !== 'object') {
      original.call(this, status, client);
      return;
    }
    accept(new AcceptedHandle(client));
  };
  return undefined;
}

/**
 * A net.Socket over `accepted`'s handle, for what needs the public API (the
 * ByteStream fallback): not reading, half-open allowed — as
 * `net.createServer({ pauseOnConnect: true, allowHalfOpen: true })` would
 * have made it. The AcceptedHandle gives its handle up.
 */
export function socketOf(accepted: AcceptedHandle): net.Socket {
  const handle = accepted._handle;
  accepted._handle = null;
  const socket = new net.Socket({
    handle,
    allowHalfOpen: true,
    readable: true,
    writable: true,
    // net.Server's own option for `pauseOnConnect` (internal, stable since Node 12).
    pauseOnCreate: true,
  } as net.SocketConstructorOpts);
  return socket;
}
