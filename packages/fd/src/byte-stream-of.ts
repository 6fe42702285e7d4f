// Picks the ByteStream for a socket: the handle-level one where this
// runtime has the internals it needs, the public-API one otherwise.
import type net from 'node:net';
import { UnsupportedRuntimeError } from '@iomodels/contract/core';
import { AcceptedHandle, socketOf } from './accepted-handle.js';
import type { ByteStream, ByteStreamListener } from './byte-stream.js';
import { handleStream, handleStreamRefusal, handleStreamSupported } from './handle-stream.js';
import { socketStream } from './socket-stream.js';

/**
 * `socket` as a ByteStream reading into `buffer`: handle-level when the
 * runtime supports it and the socket is fresh (accepted with
 * `pauseOnConnect` or as an `AcceptedHandle`, or a client socket in its
 * 'connect' event; never read or written), else over the public API (an
 * `AcceptedHandle` is then wrapped in a net.Socket) — the one place that decides.
 * `prefer: 'socket'` forces the public API (tests, or a caller that needs
 * the net.Socket to stay its server's connection). `onFallback` hears why
 * a socket that could have gone to the handle did not.
 */
export function byteStreamOf(
  socket: net.Socket | AcceptedHandle,
  listener: ByteStreamListener,
  buffer: Uint8Array,
  prefer: 'handle' | 'socket' = 'handle',
  onFallback?: (reason: string) => void,
): ByteStream {
  if (prefer === 'handle' && handleStreamSupported()) {
    const refusal = handleStreamRefusal(socket);
    if (refusal === undefined) {
      try {
        return handleStream(socket, listener, buffer);
      } catch (error) {
        // The binding is there but this socket's handle lacks an internal:
        // nothing was changed, so the public API takes over.
        if (!UnsupportedRuntimeError.isInstance(error)) throw error;
        onFallback?.(error.message);
      }
    } else {
      onFallback?.(refusal);
    }
  }
  return socketStream(
    socket instanceof AcceptedHandle ? socketOf(socket) : socket,
    listener,
    buffer,
  );
}
