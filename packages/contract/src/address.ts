// Where a socket is: the shape Node's `socket.address()` returns, made total.
import type { AddressInfo } from 'node:net';

/** One end of a TCP connection. */
export interface Address {
  readonly host: string;
  readonly port: number;
  readonly family: 'IPv4' | 'IPv6';
}

/** Builds an {@link Address} from Node's loose address fields. */
export function toAddress(
  host: string | undefined,
  port: number | undefined,
  family: string | number | undefined,
): Address {
  const isV6 = family === 'IPv6' || family === 6 || (host?.includes(':') ?? false);
  return { host: host ?? '', port: port ?? 0, family: isV6 ? 'IPv6' : 'IPv4' };
}

/** Builds an {@link Address} from `server.address()` / `socket.address()`. */
export function fromAddressInfo(info: AddressInfo | string | null | object): Address {
  if (info === null || typeof info !== 'object' || !('port' in info)) {
    return { host: '', port: 0, family: 'IPv4' };
  }
  const { address, port, family } = info as AddressInfo;
  return toAddress(address, port, family);
}

/** `127.0.0.1:8009`, `[::1]:8009` — host and port, unambiguous for IPv6. */
export function formatAddress({ host, port, family }: Address): string {
  return family === 'IPv6' ? `[${host}]:${port}` : formatHostPort(host, port);
}

/**
 * `127.0.0.1:8009`, `[::1]:8009`, `localhost:8009` — a host as given (name or
 * literal) and a port; an IPv6 literal (it holds a `:`) is bracketed, as in a URL.
 */
export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
