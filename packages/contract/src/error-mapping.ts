// The one mapping from Node's errno errors to the contract's errors, for the
// three places they surface: binding a listener, connecting, and the life of
// an established connection. Every model and the client use these, so the
// same peer behaviour reads the same on every model.
import { formatHostPort, type UnixAddress } from './address.js';
import {
  AddressInUseError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  IomodelsError,
  ListenError,
} from './errors.js';

/** A host and port, as given to `listen`/`connect` or as an `Address`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Where, in a message: `host:port`, `unix:PATH`, or a label (an inherited descriptor). */
function whereOf(address: HostPort | UnixAddress | string): string {
  if (typeof address === 'string') return address;
  return 'path' in address ? `unix:${address.path}` : formatHostPort(address.host, address.port);
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * An error of an established connection, as the contract names it:
 * `ECONNRESET`, `EPIPE`, `ECONNABORTED` → `ConnectionResetError`;
 * `ETIMEDOUT` (keep-alive or retransmission gave up) → `ConnectionTimeoutError`.
 * The contract's own errors and any other error come back unchanged (a
 * non-Error value is wrapped in an `Error`), so callers may map twice.
 */
export function toConnectionError(error: unknown): Error {
  if (IomodelsError.isInstance(error)) return error;
  const code = errnoCode(error);
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
      return new ConnectionResetError(`connection reset by peer (${code})`, { cause: error });
    case 'ETIMEDOUT':
      return new ConnectionTimeoutError(`connection timed out (${code})`, { cause: error });
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}

/** @deprecated The earlier name of {@link toConnectionError}; kept for compatibility. */
export const peerError: (error: unknown) => Error = toConnectionError;

/**
 * A failed connect to `address`: `ECONNREFUSED` → `ConnectionRefusedError`
 * (also `ENOENT` for a Unix socket file that is not there: nobody listens,
 * as at a closed port), `ETIMEDOUT` → `ConnectionTimeoutError`, `ECONNRESET`
 * → `ConnectionResetError`; anything else → `ConnectionError` naming the address.
 */
export function toConnectError(error: unknown, address: HostPort | UnixAddress): Error {
  if (IomodelsError.isInstance(error)) return error;
  const where = whereOf(address);
  const code = errnoCode(error);
  switch (code === 'ENOENT' && 'path' in address ? 'ECONNREFUSED' : code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(`connection refused by ${where}`, { cause: error });
    case 'ETIMEDOUT':
      return new ConnectionTimeoutError(`connecting to ${where} timed out`, { cause: error });
    case 'ECONNRESET':
      return new ConnectionResetError(`connection to ${where} reset while connecting`, {
        cause: error,
      });
    default:
      return new ConnectionError(`cannot connect to ${where}: ${messageOf(error)}`, {
        cause: error,
      });
  }
}

/**
 * A failed bind/listen on `address` (host and port, a Unix socket file, or
 * a label such as an inherited descriptor's): `EADDRINUSE` → `AddressInUseError`;
 * anything else → `ListenError` naming the address and the reason.
 */
export function toListenError(
  error: unknown,
  address: HostPort | UnixAddress | string,
): ListenError {
  if (ListenError.isInstance(error)) return error;
  const where = whereOf(address);
  if (errnoCode(error) === 'EADDRINUSE') {
    return new AddressInUseError(`address ${where} is already in use`, { cause: error });
  }
  return new ListenError(`cannot listen on ${where}: ${messageOf(error)}`, { cause: error });
}
