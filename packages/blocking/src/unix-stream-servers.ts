// Python's UnixStreamServer family: the same servers as the TCP ones, each
// listening on a Unix socket file (`unix:` endpoint) instead of a port —
// in Python too they differ only in `address_family`.
import type { HandlerSpec, ServerEndpoint, ServerOptions } from '@iomodels/contract';
import { type ForkingServerOptions, ForkingTCPServer } from './forking-tcp-server.js';
import { TCPServer } from './tcp-server.js';
import { type ThreadingServerOptions, ThreadingTCPServer } from './threading-tcp-server.js';

/** Where a Unix-socket server listens: its socket file, in place of `host`/`port`/`listen`. */
export interface UnixSocketOptions {
  /** The socket file (Python's `server_address`). */
  path: string;
  /** File mode of the socket file, e.g. 0o660; default: as the umask leaves it. */
  mode?: number;
  /** Guard the file with `PATH.lock` (Twisted's `lockfile=1`), so a stale one is replaced. Default false. */
  lockfile?: boolean;
}

type Unix<O extends ServerOptions> = Omit<O, 'host' | 'port' | 'listen'> & UnixSocketOptions;

function unixListen<O extends ServerOptions>(options: Unix<O>): O {
  const { path, mode, lockfile = false, ...rest } = options;
  const listen: ServerEndpoint = {
    kind: 'unix',
    path,
    lockfile,
    ...(mode === undefined ? {} : { mode }),
  };
  return { ...rest, listen } as unknown as O;
}

/** Python's `UnixStreamServer`: `TCPServer` (one connection at a time) on a Unix socket file. */
export class UnixStreamServer extends TCPServer {
  constructor(handler: HandlerSpec, options: Unix<ServerOptions>) {
    super(handler, unixListen(options));
  }
}

/** Python's `ThreadingUnixStreamServer`: `ThreadingTCPServer` on a Unix socket file. */
export class ThreadingUnixStreamServer extends ThreadingTCPServer {
  constructor(handler: HandlerSpec, options: Unix<ThreadingServerOptions>) {
    super(handler, unixListen(options));
  }
}

/** Python's `ForkingUnixStreamServer`: `ForkingTCPServer` on a Unix socket file. */
export class ForkingUnixStreamServer extends ForkingTCPServer {
  constructor(handler: HandlerSpec, options: Unix<ForkingServerOptions>) {
    super(handler, unixListen(options));
  }
}
