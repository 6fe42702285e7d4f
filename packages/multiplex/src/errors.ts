// The reasons a connection ends and the misuse errors of the multiplex model,
// named as in Twisted's `twisted.internet.error`, built on the contract's
// hierarchy so `isInstance` and the `code` prefixes hold.
import { ConnectionError, IomodelsError } from '@iomodels/contract';

/** `connectionLost` reason for a clean close: both sides finished (Twisted's `ConnectionDone`). */
export class ConnectionDone extends ConnectionError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_DONE';
}

/** `connectionLost` reason for an unclean close (Twisted's `ConnectionLost`). */
export class ConnectionLost extends ConnectionError {
  static override readonly code: string = 'ERR_IOMODELS_CONNECTION_LOST';
}

/** `connectionLost` reason after this side called `abortConnection()` (Twisted's `ConnectionAborted`). */
export class ConnectionAborted extends ConnectionLost {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_LOST_ABORTED';
}

/**
 * A protocol kept writing while its unsent output was already past twice
 * `maxUnsentBytes`, ignoring flow control; the connection was aborted.
 * Twisted buffers without bound here; this model refuses.
 */
export class WriteBufferFullError extends ConnectionError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_WRITE_BUFFER_FULL';
}

/** `cancel`/`reset`/`delay` on a delayed call that already ran (Twisted's `AlreadyCalled`). */
export class AlreadyCalledError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_ALREADY_CALLED';
}

/** `cancel`/`reset`/`delay` on a delayed call that was cancelled (Twisted's `AlreadyCancelled`). */
export class AlreadyCancelledError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_ALREADY_CANCELLED';
}

/** `sendString` was given more than a 32-bit length prefix can express (Twisted's `StringTooLongError`). */
export class StringTooLongError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_STRING_TOO_LONG';
}
