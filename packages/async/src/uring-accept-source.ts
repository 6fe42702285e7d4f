// An accept source on the ring: a listening descriptor outside libuv whose
// accepts (multishot where the kernel has them) complete from io_uring, and
// whose connections run on `UringByteStream`s — no readiness event, no
// read/write syscall per message.
import type { Address } from '@iomodels/contract';
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
    take: () =>
      new AsyncSocket(
        // STAGING is named as shared: the stream reads into a buffer of its own instead.
        (listener) => new uring.UringByteStream(loop, fd, listener, STAGING, STAGING),
        settings,
      ),
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
