// Picks the ByteStream for a socket: the handle-level one where this
// runtime has the internals it needs, the public-API one otherwise.
import type net from 'node:net';
import { UnsupportedRuntimeError } from '@iomodels/contract';
import type { ByteStream, ByteStreamListener } from './byte-stream.js';
import { handleStream, handleStreamSupported } from './handle-stream.js';
import { socketStream } from './socket-stream.js';

/**
 * `socket` (accepted with `pauseOnConnect`, or a client socket in its
 * 'connect' event; never read) as a ByteStream reading into `buffer`:
 * handle-level when supported (by the runtime and by this socket's
 * handle), else over the public API. `prefer: 'socket'` forces the
 * fallback (tests, or a caller that needs the net.Socket to stay its
 * server's connection).
 */
export function byteStreamOf(
  socket: net.Socket,
  listener: ByteStreamListener,
  buffer: Uint8Array,
  prefer: 'handle' | 'socket' = 'handle',
): ByteStream {
  if (prefer === 'handle' && handleStreamSupported()) {
    try {
      return handleStream(socket, listener, buffer);
    } catch (error) {
      // The binding is there but this socket's handle lacks an internal:
      // nothing was changed, so the public API takes over.
      if (!UnsupportedRuntimeError.isInstance(error)) throw error;
    }
  }
  return socketStream(socket, listener, buffer);
}
