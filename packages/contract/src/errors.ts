// The error hierarchy. Codes, not prototypes, identify an error, so
// `isInstance` holds across duplicate installs of this package.

/** Base of every error this project throws on purpose. */
export class IomodelsError extends Error {
  /** The code every instance of this class carries; subclasses extend it with `_SUFFIX`. */
  static readonly code: string = 'ERR_IOMODELS';
  readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const ctor = new.target as typeof IomodelsError;
    this.code = ctor.code;
    this.name = ctor.name;
  }

  /** True for an instance of this class or a subclass, even from another copy of the package. */
  static isInstance<T extends abstract new (...args: never[]) => IomodelsError>(
    this: T & { readonly code: string },
    error: unknown,
  ): error is InstanceType<T> {
    if (!(error instanceof Error)) return false;
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && (code === this.code || code.startsWith(`${this.code}_`));
  }
}

/** A command-line flag or an option is wrong. */
export class UsageError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_USAGE';
}

/** `--handler` / a handler reference names nothing loadable. */
export class UnknownHandlerError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_UNKNOWN_HANDLER';
}

/** The server cannot listen on the address it was given. */
export class ListenError extends IomodelsError {
  static override readonly code: string = 'ERR_IOMODELS_LISTEN';
}

/** The address is taken (EADDRINUSE). */
export class AddressInUseError extends ListenError {
  static override readonly code = 'ERR_IOMODELS_LISTEN_ADDRESS_IN_USE';
}

/** The server was closed; it does not listen again. */
export class ServerClosedError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_SERVER_CLOSED';
}

/** A line exceeded `maxLineLength` (Twisted: `lineLengthExceeded`). */
export class LineTooLongError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_LINE_TOO_LONG';
}

/** The stream ended before `readExactly(n)` had n bytes (asyncio's name). */
export class IncompleteReadError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_INCOMPLETE_READ';
  constructor(
    /** The bytes that did arrive. */
    readonly partial: Uint8Array,
    readonly expected: number,
  ) {
    super(`stream ended after ${partial.length} of ${expected} bytes`);
  }
}

/** Output sat at `maxUnsentBytes` for longer than `sendStallTimeout`; the connection was aborted. */
export class SendStalledError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_SEND_STALLED';
}

/** The runtime lacks a Node internal a model needs; the message says which. */
export class UnsupportedRuntimeError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_UNSUPPORTED_RUNTIME';
}

/** Base of the errors of one connection's life. */
export class ConnectionError extends IomodelsError {
  static override readonly code: string = 'ERR_IOMODELS_CONNECTION';
}

/** Nothing listens at the address (ECONNREFUSED). */
export class ConnectionRefusedError extends ConnectionError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_REFUSED';
}

/** The peer reset the connection (ECONNRESET / EPIPE). */
export class ConnectionResetError extends ConnectionError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_RESET';
}

/** Connecting, or waiting for data, took longer than the timeout. */
export class ConnectionTimeoutError extends ConnectionError {
  static override readonly code: string = 'ERR_IOMODELS_CONNECTION_TIMEOUT';
}

/**
 * The connection was idle (nothing received, nothing sent) for the server's
 * `idleTimeout`; the server closes it. A `ConnectionTimeoutError`, so code
 * that catches timeouts catches this one; the request runner counts a request
 * that ends with it as `timedOut`, not as a failure.
 */
export class IdleTimeoutError extends ConnectionTimeoutError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_TIMEOUT_IDLE';
  constructor(
    /** The timeout that expired, in ms. */
    readonly idleTimeout: number,
  ) {
    super(`connection idle for ${idleTimeout} ms (idleTimeout); closed by the server`);
  }
}

/** The connection was already closed on this side. */
export class ConnectionClosedError extends ConnectionError {
  static override readonly code = 'ERR_IOMODELS_CONNECTION_CLOSED';
}

/**
 * `recv` was called while another `recv` on the same connection was still
 * pending. Bytes arrive in order, so two pending reads would race for them:
 * the second call rejects at once and the first is unaffected. Await each
 * `recv` before the next.
 */
export class ReadInProgressError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_READ_IN_PROGRESS';
  constructor(
    message = 'recv() is already pending on this connection; await it first',
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A datagram request ran past `limits.datagramTimeout`: its signal fires
 * with this reason, it counts as `timedOut`, and a reply it makes later is
 * discarded (the client has retried or given up by then).
 */
export class DatagramTimeoutError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_DATAGRAM_TIMEOUT';
}
