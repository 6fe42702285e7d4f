// The options every UDP server accepts, and the endpoint they name.
import { formatServerEndpoint, parseServerEndpoint, type ServerEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import type { Limits } from '../limits.js';
import { DEFAULT_HOST, DEFAULT_PORT } from '../server-options.js';

/** A `udp:`/`udp6:` endpoint, parsed. */
export type UdpEndpoint = Extract<ServerEndpoint, { kind: 'udp' }>;

/** Options shared by every model's UDP server. Durations in milliseconds. */
export interface DatagramServerOptions {
  /** `udp:PORT[:interface=ADDR]`, `udp6:PORT`, or its parsed form. Default `udp:` on `host`/`port`. */
  listen?: ServerEndpoint | string;
  /** Interface to bind. Default `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default 8009, the seed's. */
  port?: number;
  /** `maxPacketSize`, `maxDatagramsInFlight`, `datagramTimeout`; see `Limits`. */
  limits?: Partial<Limits>;
  /** How long `close()` lets requests in flight finish (their replies are still sent). Default 5,000 ms. */
  shutdownGrace?: number;
  /** Where `handleError` writes. Default `console.error`. */
  log?: (line: string) => void;
}

/**
 * The `udp:` endpoint `options` ask for: `listen` (parsed if a string), or
 * `udp:` on the `host`/`port` shorthands. Both at once, or a stream
 * endpoint, is a usage error.
 */
export function resolveDatagramEndpoint(options: DatagramServerOptions): UdpEndpoint {
  const { listen } = options;
  if (listen === undefined) {
    return { kind: 'udp', host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT };
  }
  if (options.host !== undefined || options.port !== undefined) {
    throw new UsageError('give either listen or host/port, not both');
  }
  const endpoint = typeof listen === 'string' ? parseServerEndpoint(listen) : listen;
  if (endpoint.kind !== 'udp') {
    throw new UsageError(
      `${formatServerEndpoint(endpoint)}: a UDP server listens on udp: or udp6: only`,
    );
  }
  return endpoint;
}
