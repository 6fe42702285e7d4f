// An accept source on the ring: a listening descriptor outside libuv whose
// accepts (multishot where the kernel has them) complete from io_uring, and
// whose connections run on `UringByteStream`s — no readiness event, no
// read/write syscall per message.
import type net from 'node:net';
import type { Address } from '@iomodels/contract';
import { descriptorOf, setBlocking } from '@iomodels/fd';
import type * as Uring from '@iomodels/uring';
import type { AcceptSource, Arrival } from './accept-source.js';
import { AsyncSocket } from './async-socket.js';
import { STAGING } from './read-path.js';
import type { SocketSettings } from './socket-settings.js';

/** Listens on `host:port` through this thread's ring; throws as `listen(2)` fails (`code`: the errno name). */
export function uringAcceptSource(
  uring: typeof Uring,
  host: string,
  port: number,
  backlog: number,
  settings: SocketSettings,
): AcceptSource {
  const loop = uring.UringLoop.open();
  const listening = loop.listen(host, port, backlog);
  const address: Address = {
    host,
    port: listening.port,
    family: host.includes(':') ? 'IPv6' : 'IPv4',
  };
  let closed = false;
  let acceptId = -1;

  const arrival = (fd: number): Arrival => ({
    take: () => ringSocket(uring, loop, fd, settings),
    refuse: () => {
      loop.setOption(fd, uring.SOCKOPT_LINGER_ZERO, 1);
      loop.close(fd);
    },
  });

  return {
    address,
    start(arrived) {
      const arm = () => {
        acceptId = loop.accept(listening.fd, (result, more) => {
          if (closed) {
            if (result >= 0) loop.close(result);
            return;
          }
          // A failed accept (EMFILE, ECONNABORTED…) is skipped, as libuv does.
          if (result >= 0) arrived(arrival(result));
          if (more || closed) return;
          // Re-armed at once after a connection; a moment later after an error, not in a spin.
          if (result >= 0) arm();
          else setTimeout(() => closed || arm(), 10);
        });
      };
      arm();
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      if (acceptId !== -1) loop.cancel(acceptId);
      return new Promise((resolve) => loop.close(listening.fd, () => resolve()));
    },
  };
}

/** An AsyncSocket on the connection `fd`, driven through `loop`. */
function ringSocket(
  uring: typeof Uring,
  loop: Uring.UringLoop,
  fd: number,
  settings: SocketSettings,
  remote?: Uring.SocketAddress,
): AsyncSocket {
  return new AsyncSocket(
    // STAGING is named as shared: the stream reads into a buffer of its own instead.
    (listener) => new uring.UringByteStream(loop, fd, listener, STAGING, STAGING, remote),
    settings,
  );
}

/**
 * Moves a connection a `net.Server` accepted with `pauseOnConnect` (libuv
 * never read it, so no epoll registration) onto the ring: its descriptor is
 * duplicated and made blocking (io_uring waits inside the kernel), and the
 * net.Socket destroyed, which closes only its own descriptor. `undefined`
 * when the descriptor cannot be taken (the socket then stays on libuv).
 */
export function takeOntoRing(
  uring: typeof Uring,
  socket: net.Socket,
  settings: SocketSettings,
): AsyncSocket | undefined {
  // The ring takes TCP only; a Unix connection (no port) stays on libuv.
  if (socket.remotePort === undefined) return undefined;
  // The peer as the server presents it: a PROXY header's client where one was received.
  const remote: Uring.SocketAddress = {
    host: socket.remoteAddress ?? '',
    port: socket.remotePort,
    family: socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4',
  };
  let loop: Uring.UringLoop;
  let copy: number;
  try {
    loop = uring.UringLoop.open();
    const fd = descriptorOf(socket);
    copy = fd >= 0 ? loop.duplicate(fd) : -1;
    if (copy < 0) return undefined;
  } catch {
    return undefined; // no ring on this thread, or no descriptor to take
  }
  try {
    setBlocking(socket, true);
  } catch {
    loop.close(copy);
    return undefined;
  }
  socket.destroy();
  return ringSocket(uring, loop, copy, settings, remote);
}
