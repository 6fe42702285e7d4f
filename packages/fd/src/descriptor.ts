// A socket's descriptor and its O_NONBLOCK flag. Node sockets are
// non-blocking libuv streams; these reach below the stream to the fd.
import type { Socket } from 'node:net';
import type { AcceptedHandle } from './accepted-handle.js';
import { type TcpHandle, tcpHandleOf } from './runtime-check.js';

/** A `net.Socket`, a connection accepted below one, or a raw TCP handle received from another process. */
export type SocketLike = Socket | AcceptedHandle | TcpHandle;

/**
 * The descriptor under a socket. Take it only from a socket libuv is not
 * reading (`net.createServer({ pauseOnConnect: true })`), or libuv and your
 * reads race for the same bytes. The socket still owns the descriptor:
 * it is closed when the socket is destroyed, never by this package.
 */
export function descriptorOf(socket: SocketLike): number {
  return tcpHandleOf(socket).fd;
}

/**
 * Sets or clears `O_NONBLOCK` on the socket's descriptor. The flag belongs
 * to the open file, so it holds in every thread and every process that
 * shares the socket.
 */
export function setBlocking(socket: SocketLike, blocking: boolean): void {
  const status = tcpHandleOf(socket).setBlocking(blocking);
  if (status !== 0) {
    throw new Error(`cannot ${blocking ? 'clear' : 'set'} O_NONBLOCK (libuv status ${status})`);
  }
}
