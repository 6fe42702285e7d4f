// The linger rule for a connection still held as a `net.Socket`: FIN after
// the queued output, read and drop until the peer's FIN, reset if it does
// not come within `lingerTimeout`. Models below the stream layer apply the
// same rule in their own IO style.
import type { Socket } from 'node:net';
import { resetSocket } from './reset-socket.js';

/**
 * Closes `socket` politely: FIN behind the unsent output, then incoming bytes
 * are read and dropped (releasing a socket with unread input sends RST,
 * which can destroy a reply the peer has not read yet) until the peer's FIN
 * — then the socket is released — or until `lingerTimeout` ms after our FIN
 * went out, when it is reset. The socket must be readable by libuv (not in
 * blocking mode). Returns at once; idempotent enough to call on a socket
 * that is already ending or destroyed.
 */
export function closeWithLinger(socket: Socket, lingerTimeout: number): void {
  if (socket.destroyed) return;
  // Nobody reads any more: drop what comes. A 'readable' listener would keep
  // the stream paused (and 'end' unseen), so the reader's go first.
  socket.removeAllListeners('readable');
  socket.resume();
  if (socket.readableEnded) {
    // The peer's FIN came already: nothing to wait for once ours is out.
    socket.end(() => socket.destroy());
    return;
  }
  socket.once('end', () => {
    if (socket.writableFinished) socket.destroy();
  });
  socket.end(() => {
    if (socket.destroyed) return;
    if (socket.readableEnded) {
      socket.destroy();
      return;
    }
    const linger = setTimeout(() => resetSocket(socket), lingerTimeout);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  });
}
