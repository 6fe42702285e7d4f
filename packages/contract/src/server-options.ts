// The options every server accepts, with their defaults.

import type { Limits } from './limits.js';
import type { ServerTlsOptions } from './tls-socket.js';

/** Options shared by every model's server. Durations in milliseconds. */
export interface ServerOptions {
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
  /** Where `handleError` writes. Default `console.error`. */
  log?: (line: string) => void;
}

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8009;
export const DEFAULT_BACKLOG = 511;
export const DEFAULT_SHUTDOWN_GRACE = 5_000;
/** After RST, how long before a request is reported abandoned. */
export const ABORT_GRACE = 1_000;
