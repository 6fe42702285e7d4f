// A read that never waits, in the shape the PROXY protocol receiver takes:
// how every descriptor-level model lets the shared receiver read the header.
import { descriptorOf, type SocketLike } from './descriptor.js';
import { tryRead, WOULD_BLOCK } from './descriptor-io.js';

/**
 * One non-blocking `read(2)` on the socket's descriptor per call: the count,
 * 0 at end of stream, `null` when nothing is there yet. Take it only from a
 * socket libuv is not reading (`pauseOnConnect`) whose descriptor is still
 * non-blocking (as libuv accepts it).
 */
export function nonBlockingReader(
  socket: SocketLike,
): (buffer: Uint8Array, offset: number, length: number) => number | null {
  const fd = descriptorOf(socket);
  return (buffer, offset, length) => {
    const count = tryRead(fd, buffer, offset, length);
    return count === WOULD_BLOCK ? null : count;
  };
}
