// Aborting a connection: RST on TCP (`resetAndDestroy`), which a Unix
// socket does not have — Node throws ERR_INVALID_HANDLE_TYPE for its Pipe
// handle — so there the connection is simply closed, the nearest thing.
import type { Socket } from 'node:net';

/** Resets `socket` (RST) where the transport can, else destroys it. Never throws. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
