// Where a socket is: the shape Node's `socket.address()` returns, made total,
// for both transports a stream server listens on (TCP and Unix sockets).
import type { AddressInfo } from 'node:net';

/** One end of a TCP connection. */
export interface InetAddress {
  readonly host: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/**
 * One end of a Unix stream socket. `path` is the socket file; a client end
 * is usually unnamed (`''`), as Python's `UnixStreamServer` reports it.
 * `host` and `port` are empty, so code that only prints or compares them
 * keeps working.
 */
export interface UnixAddress {
  readonly family: 'unix';
  readonly path: string;
  readonly host: '';
  readonly port: 0;
}

/** One end of a connection: TCP (`IPv4`/`IPv6`) or Unix (`unix`). */
export type Address = InetAddress | UnixAddress;

/** Builds an {@link Address} from Node's loose address fields. */
export function toAddress(
  host: string | undefined,
  port: number | undefined,
  family: string | number | undefined,
): InetAddress {
  const isV6 = family === 'IPv6' || family === 6 || (host?.includes(':') ?? false);
  return { host: host ?? '', port: port ?? 0, family: isV6 ? 'IPv6' : 'IPv4' };
}

/** The address of a Unix socket file; `''` for an unnamed (client) end. */
export function unixAddress(path = ''): UnixAddress {
  return { family: 'unix', path, host: '', port: 0 };
}

/**
 * Builds an {@link Address} from `server.address()` / `socket.address()`:
 * Node answers a string (the path) for a server on a Unix socket, and `null`
 * for one listening on an inherited Unix descriptor.
 */
export function fromAddressInfo(info: AddressInfo | string | null | object): Address {
  if (typeof info === 'string') return unixAddress(info);
  if (info === null || typeof info !== 'object' || !('port' in info)) {
    return { host: '', port: 0, family: 'IPv4' };
  }
  const { address, port, family } = info as AddressInfo;
  return toAddress(address, port, family);
}

/** The address fields of a net.Socket (or of something that reads them as one does). */
export interface SocketAddressFields {
  readonly remoteAddress?: string | undefined;
  readonly remotePort?: number | undefined;
  readonly remoteFamily?: string | undefined;
  readonly localAddress?: string | undefined;
  readonly localPort?: number | undefined;
  readonly localFamily?: string | undefined;
}

/**
 * Where a connected `net.Socket` is, at each end. A Unix socket has no port
 * (Node reports `undefined` for both ends of one while it is open); its
 * ends take `unixPath` for the local side (the server's socket file, which
 * the socket itself cannot tell) and are unnamed on the remote side.
 */
export function socketAddresses(
  socket: SocketAddressFields,
  unixPath = '',
): { remote: Address; local: Address } {
  if (socket.localPort === undefined && socket.remotePort === undefined && !socket.remoteAddress) {
    return { remote: unixAddress(), local: unixAddress(unixPath) };
  }
  return {
    remote: toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily),
    local: toAddress(socket.localAddress, socket.localPort, socket.localFamily),
  };
}

/**
 * The remote end as `socketAddresses` reads it, without a getsockname(2) for
 * this end unless the peer is unknown (then only this end tells a Unix
 * socket from a TCP one whose peer already left).
 */
export function peerAddress(socket: SocketAddressFields): Address {
  if (socket.remoteAddress) {
    return toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
  }
  return socketAddresses(socket).remote;
}

/**
 * `127.0.0.1:8009`, `[::1]:8009` — host and port, unambiguous for IPv6;
 * `unix:/run/ivr.sock` for a Unix socket (`unix:` alone for an unnamed end),
 * which `--connect` reads back.
 */
export function formatAddress(address: Address): string {
  if (address.family === 'unix') return `unix:${address.path}`;
  const { host, port, family } = address;
  return family === 'IPv6' ? `[${host}]:${port}` : formatHostPort(host, port);
}

/**
 * `127.0.0.1:8009`, `[::1]:8009`, `localhost:8009` — a host as given (name or
 * literal) and a port; an IPv6 literal (it holds a `:`) is bracketed, as in a URL.
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
