// The per-socket settings a Proactor resolves once and every socket reads.

/** Per-socket settings. Sizes in bytes, durations in milliseconds. */
export interface AsyncSocketOptions {
  /**
   * Most bytes received ahead of any posted read before the socket stops
   * reading from the kernel (back-pressure through TCP). Default 256 KiB.
   */
  readonly readAhead?: number;
  /** Fail every pending operation with `ConnectionTimeoutError` after this long without traffic. 0 = never (default). */
  readonly idleTimeout?: number;
  /** How long `close()` waits for the peer's FIN before it resets the connection. Default 30 s. */
  readonly lingerTimeout?: number;
}

/** @internal The settings, resolved once per proactor. */
export interface SocketSettings {
  readonly readAhead: number;
  readonly idleTimeout: number;
  readonly lingerTimeout: number;
}

/** @internal */
export function resolveSettings(options: AsyncSocketOptions = {}): SocketSettings {
  return {
    readAhead: options.readAhead ?? 256 * 1024,
    idleTimeout: options.idleTimeout ?? 0,
    lingerTimeout: options.lingerTimeout ?? 30_000,
  };
}
