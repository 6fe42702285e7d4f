// The options every server accepts, with their defaults.
import type { ServerEndpoint } from './endpoint.js';
import type { Limits } from './limits.js';
import type { CidrList } from './proxy/cidr-list.js';
import type { ProxyProtocolVersion } from './proxy/proxy-header.js';
import type { ServerTlsOptions } from './tls-socket.js';

/**
 * Expect a PROXY protocol header (HAProxy's `send-proxy` / `send-proxy-v2`)
 * before each connection's first byte. The handler then sees the original
 * client as `clientAddress`; the header itself is `request.proxyHeader`.
 */
export interface ProxyProtocolOptions {
  /** Which header the proxy sends; `auto` takes either. */
  version: ProxyProtocolVersion;
  /**
   * Peers allowed to send one (`10.0.0.0/8,::1`); every other peer is refused
   * before a byte is read. Not consulted on a Unix socket, whose peers have
   * no IP address: there the socket file's mode says who may connect.
   */
  allow: CidrList | string;
  /** ms for the whole header to arrive. Default `DEFAULT_PROXY_HEADER_TIMEOUT` (3 s). */
  timeout?: number;
  /** Longest header accepted, in bytes. Default `DEFAULT_MAX_PROXY_HEADER` (4 KiB). */
  maxHeader?: number;
}

/** Options shared by every model's server. Durations in milliseconds. */
export interface ServerOptions {
  /**
   * Where to listen: an endpoint string (`tcp:8009:interface=::1`,
   * `unix:/run/ivr.sock:mode=660:lockfile=1`, `fd:3`, `systemd:`) or its
   * parsed form. Default `tcp:` on `host`/`port`, which stay as shorthands;
   * giving both is a usage error.
   */
  listen?: ServerEndpoint | string;
  /** Interface to listen on. Default `127.0.0.1` (loopback only, like the seed). */
  host?: string;
  /** Port; 0 picks a free one. Default 8009, the seed's. */
  port?: number;
  /** Listen queue length. Default 511 (Node's); Python's 5 leaves clients unserved under load. */
  backlog?: number;
  /**
   * `SO_REUSEADDR`. libuv always sets it on Unix listening sockets, so only
   * `true` (the default) is accepted; passing `false` is a usage error.
   */
  reuseAddress?: boolean;
  /** Connections served at once; further ones are refused and counted. Default: no cap. */
  maxConnections?: number;
  /** Close a connection idle this long (where the model can enforce it). 0 = never (default). */
  idleTimeout?: number;
  /** Per-connection limits; see `Limits`. */
  limits?: Partial<Limits>;
  /** Grace period of `close()` when none is given. Default 5,000 ms. */
  shutdownGrace?: number;
  /**
   * Serve TLS over every accepted connection (`cert` and `key` in PEM, and
   * whatever else `tls.createSecureContext` takes). Models that read raw
   * descriptors (blocking, nonblocking) refuse it at `listen()`: terminate
   * TLS in front of them (HAProxy, `docs/deploy.md`). Default: plain TCP.
   */
  tls?: ServerTlsOptions;
  /**
   * Receive a PROXY protocol header before the handler starts (and, with
   * `tls`, before the TLS handshake: the proxy sends it in clear); off by default.
   */
  proxyProtocol?: ProxyProtocolOptions;
  /** Where `handleError` writes. Default `console.error`. */
  log?: (line: string) => void;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8009;
export const DEFAULT_BACKLOG = 511;
export const DEFAULT_SHUTDOWN_GRACE = 5_000;
/** After RST, how long before a request is reported abandoned. */
export const ABORT_GRACE = 1_000;
