// Turns a server's options into the endpoint it listens on, and listens
// there: TCP, a Unix socket file (mode, lockfile, removed on close), an
// inherited descriptor, or a systemd-activated one. The endpoint strings are
// parsed by `endpoint.ts`; this is where they meet `net.Server`.
import cluster from 'node:cluster';
import fs from 'node:fs';
import type net from 'node:net';
import { type Address, fromAddressInfo, unixAddress } from './address.js';
import {
  formatServerEndpoint,
  parseServerEndpoint,
  type ServerEndpoint,
  type SystemdDomain,
  socketActivationFd,
} from './endpoint.js';
import { toListenError } from './error-mapping.js';
import { ListenError, UsageError } from './errors.js';
import {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  DEFAULT_PORT,
  type ServerOptions,
} from './server-options.js';
import { claimSocketFile } from './unix-socket-file.js';

/**
 * The endpoint `options` ask for: `listen` (parsed if a string), or
 * `tcp:` from the `host`/`port` shorthands. Both at once is a usage error.
 */
export function resolveServerEndpoint(options: ServerOptions): ServerEndpoint {
  const { listen } = options;
  if (listen === undefined) {
    return {
      kind: 'tcp',
      host: options.host ?? DEFAULT_HOST,
      port: options.port ?? DEFAULT_PORT,
    };
  }
  if (options.host !== undefined || options.port !== undefined) {
    throw new UsageError('give either listen or host/port, not both');
  }
  const endpoint = typeof listen === 'string' ? parseServerEndpoint(listen) : listen;
  if (endpoint.kind === 'udp') {
    throw new UsageError(`${formatServerEndpoint(endpoint)}: a stream server cannot listen on udp`);
  }
  return endpoint;
}

/** A listener bound to its endpoint. */
export interface BoundListener {
  readonly address: Address;
  /** Removes what binding left on disk (a Unix socket file and its lock); call after close. */
  release(): void;
}

/**
 * Listens `listener` on `endpoint`. `backlog` applies where the endpoint
 * does not set its own. Failures are `AddressInUseError` / `ListenError`
 * with one line naming the endpoint.
 */
export async function listenOnEndpoint(
  listener: net.Server,
  endpoint: ServerEndpoint,
  backlog = DEFAULT_BACKLOG,
): Promise<BoundListener> {
  switch (endpoint.kind) {
    case 'tcp': {
      const { host, port } = endpoint;
      await bind(listener, { host, port, backlog: endpoint.backlog ?? backlog }, { host, port });
      return { address: fromAddressInfo(listener.address()), release: () => {} };
    }
    case 'unix': {
      const { path } = endpoint;
      // In a node:cluster worker the primary binds the path (once, shared by
      // every worker) and libuv removes the file when the primary closes it:
      // the file is the primary's to claim and release (`--workers`' supervisor does).
      const release = cluster.isWorker ? () => {} : claimSocketFile(endpoint);
      try {
        await bind(listener, { path, backlog: endpoint.backlog ?? backlog }, unixAddress(path));
        if (endpoint.mode !== undefined) fs.chmodSync(path, endpoint.mode);
      } catch (error) {
        listener.close();
        release();
        throw error;
      }
      return { address: unixAddress(path), release };
    }
    case 'fd':
    case 'systemd': {
      const fd = endpoint.kind === 'fd' ? endpoint.fd : socketActivationFd(endpoint.index);
      await bind(listener, { fd, backlog }, `${formatServerEndpoint(endpoint)} (descriptor ${fd})`);
      // Node answers null for an inherited Unix socket: its path is not known here.
      const info = listener.address();
      const address = info === null ? unixAddress() : fromAddressInfo(info);
      if (endpoint.kind === 'systemd' && endpoint.domain !== undefined) {
        checkDomain(listener, endpoint.domain, address, fd);
      }
      return { address, release: () => {} };
    }
    case 'udp':
      throw new UsageError('a stream server cannot listen on udp');
  }
}

/** systemd's `domain=`: the socket it passed must be of that family, or the unit and the server disagree. */
function checkDomain(
  listener: net.Server,
  domain: SystemdDomain,
  address: Address,
  fd: number,
): void {
  const family = { INET: 'IPv4', INET6: 'IPv6', UNIX: 'unix' }[domain];
  if (address.family !== family) {
    listener.close();
    throw new ListenError(
      `systemd:domain=${domain}: descriptor ${fd} is ${address.family === 'unix' ? 'a Unix' : `an ${address.family}`} socket`,
    );
  }
}

function bind(
  listener: net.Server,
  options: net.ListenOptions & { fd?: number },
  where: Parameters<typeof toListenError>[1],
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => reject(toListenError(error, where));
    listener.once('error', fail);
    try {
      listener.listen(options, () => {
        listener.off('error', fail);
        resolve();
      });
    } catch (error) {
      listener.off('error', fail);
      fail(error);
    }
  });
}
