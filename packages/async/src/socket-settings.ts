// The per-socket settings a Proactor resolves once and every socket reads.
import { DEFAULT_LIMITS } from '@iomodels/contract';

/** Per-socket settings. Sizes in bytes, durations in milliseconds. */
export interface AsyncSocketOptions {
  /**
   * Most bytes received ahead of any posted read before the socket stops
   * reading from the kernel (back-pressure through TCP). Default 256 KiB.
   */
  readonly readAhead?: number;
  /**
   * After this long with nothing received and nothing sent, every pending
   * and later operation fails with `IdleTimeoutError` (a
   * `ConnectionTimeoutError`) and the socket closes as `close()` does: FIN,
   * linger, reset. The contract's idle rule (`IdleWatch`). 0 = never (default).
   */
  readonly idleTimeout?: number;
  /**
   * How long `close()` waits for the peer's FIN before it resets the
   * connection. Default: the contract's `DEFAULT_LIMITS.lingerTimeout` (2 s).
   */
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
    lingerTimeout: options.lingerTimeout ?? DEFAULT_LIMITS.lingerTimeout,
  };
}
