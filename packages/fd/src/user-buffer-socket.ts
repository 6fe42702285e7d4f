// User-buffer reads on an accepted socket. Node offers the user-buffer read
// path (`onread: { buffer, callback }`: libuv reads straight into a buffer
// the caller hands it, no chunk allocated per read) only to sockets built by
// `new net.Socket` / `net.connect`; a `net.Server` builds accepted sockets
// itself and ignores `onread`. So the accepted socket's libuv handle is
// moved, descriptor untouched, into a `new net.Socket({ handle, onread })` —
// what Node's own `onconnection` does, with `onread` added.
import net from 'node:net';
import { unsupported } from './runtime-check.js';

/** Node's `onread` option: where libuv reads next, and what to do with each read. */
export interface UserBufferRead {
  /** The buffer for the next read; a function is asked again after every read. */
  readonly buffer: Uint8Array | (() => Uint8Array);
  /** `bytesRead` bytes are at the start of `buffer`. Return `false` to stop reading (resume() restarts). */
  readonly callback: (bytesRead: number, buffer: Uint8Array) => boolean;
}

/** The internals of `socket._handle` this function needs (libuv TCP handle). */
interface StreamHandle {
  reading?: boolean;
  useUserBuffer(buffer: Uint8Array): void;
  readStart(): number;
  readStop(): number;
}

/** What Node keeps on an accepted net.Socket (internal, unstable). */
interface AcceptedSocket {
  _handle: unknown;
  _server: net.Server | null;
  server: net.Server | null;
}

/**
 * Moves the connection of `socket` — accepted with
 * `net.createServer({ pauseOnConnect: true })` and never read — into a new
 * `net.Socket` whose reads take Node's user-buffer path (`onread`): no
 * `'data'` events, bytes land in the given buffer. The descriptor stays
 * open; the new socket owns it, counts as the server's connection (so
 * `server.close()` still waits for it) and starts reading at once.
 * `socket` is left destroyed, without a handle: do not use it again.
 *
 * Throws `UnsupportedRuntimeError` naming the missing internal — having
 * changed nothing, so the caller may go on with `socket` — when this Node
 * lacks one; throws a `TypeError` for a socket that is not in that state.
 */
export function userBufferSocket(socket: net.Socket, onread: UserBufferRead): net.Socket {
  const accepted = socket as unknown as AcceptedSocket;
  const handle = accepted._handle as Partial<StreamHandle> | null | undefined;
  if (socket.destroyed || handle === null || typeof handle !== 'object') {
    throw new TypeError('userBufferSocket: the socket is closed (it has no libuv handle)');
  }
  if (typeof handle.useUserBuffer !== 'function') {
    throw unsupported('socket._handle.useUserBuffer() (user-buffer reads, the onread option)');
  }
  if (typeof handle.readStart !== 'function' || typeof handle.readStop !== 'function') {
    throw unsupported('socket._handle.readStart() / readStop()');
  }
  if (typeof handle.reading !== 'boolean') throw unsupported('socket._handle.reading');
  if (handle.reading || socket.readableLength > 0 || socket.bytesRead > 0) {
    throw new TypeError(
      'userBufferSocket: the socket has been read; accept it with net.createServer({ pauseOnConnect: true }) and hand it over before reading',
    );
  }

  const server = accepted._server;
  accepted._handle = null;
  let replacement: net.Socket;
  try {
    replacement = new net.Socket({
      handle,
      allowHalfOpen: socket.allowHalfOpen,
      readable: true,
      writable: true,
      readableHighWaterMark: socket.readableHighWaterMark,
      writableHighWaterMark: socket.writableHighWaterMark,
      onread,
    } as net.SocketConstructorOpts);
  } catch (error) {
    accepted._handle = handle;
    throw error;
  }
  if ((replacement as unknown as AcceptedSocket)._handle !== handle) {
    // This Node ignored the handle: undo, nothing was changed.
    accepted._handle = handle;
    replacement.destroy();
    throw unsupported('the handle option of new net.Socket() (adopting an accepted libuv handle)');
  }

  // The connection moves to the new socket: the server counts it there
  // (its destroy decrements the count), the old one forgets it.
  accepted._server = null;
  accepted.server = null;
  if (server) {
    const moved = replacement as unknown as AcceptedSocket;
    moved._server = server;
    moved.server = server;
    // What Node's onconnection applies from the server's options.
    const options = server as net.Server & {
      noDelay?: boolean;
      keepAlive?: boolean;
      keepAliveInitialDelay?: number;
    };
    if (options.noDelay) replacement.setNoDelay(true);
    if (options.keepAlive) {
      replacement.setKeepAlive(true, (options.keepAliveInitialDelay ?? 0) * 1000);
    }
  }
  // No handle any more: destroying only settles the old stream's state.
  socket.destroy();
  return replacement;
}

let probed: Promise<void> | undefined;

/**
 * The end-to-end check for {@link userBufferSocket}: one loopback
 * connection accepted with `pauseOnConnect`, moved, read into a given
 * buffer. Rejects with `UnsupportedRuntimeError` naming what failed. Runs
 * once per process.
 */
export function probeUserBufferSocket(): Promise<void> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<void> {
  const listener = net.createServer({ pauseOnConnect: true });
  const sockets: net.Socket[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(0, '127.0.0.1', resolve);
    });
    const { port } = listener.address() as net.AddressInfo;
    const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
    const client = net.connect(port, '127.0.0.1');
    sockets.push(client);
    client.on('error', () => {});
    const socket = await accepted;
    sockets.push(socket);
    socket.on('error', () => {});
    const buffer = new Uint8Array(16);
    let chunks = 0;
    let text = '';
    const arrived = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(unsupported('user-buffer reads (onread) on a moved handle: no bytes arrived')),
        2000,
      );
      const moved = userBufferSocket(socket, {
        buffer,
        callback: (n, into) => {
          if (into !== buffer)
            reject(unsupported('onread: bytes did not land in the given buffer'));
          text += Buffer.from(into.subarray(0, n)).toString('latin1');
          if (text.length >= 5) {
            clearTimeout(timer);
            resolve();
          }
          return true;
        },
      });
      sockets.push(moved);
      moved.on('error', () => {});
      moved.on('data', () => chunks++);
    });
    client.write('probe');
    await arrived;
    if (text !== 'probe' || chunks > 0) {
      throw unsupported('onread on a moved handle (bytes came as data events)');
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    listener.close();
  }
}
