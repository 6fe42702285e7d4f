// The two ways an operation reports its completion, as Boost.Asio offers
// both: a Promise, or a completion callback `(error, result)`.

/** Options every posted operation takes. */
export interface OperationOptions {
  /**
   * Cancels the operation: it completes with `signal.reason` (an
   * `AbortError`, or a `TimeoutError` from `AbortSignal.timeout(ms)`).
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * A completion handler: called exactly once, never from inside the call that
 * started the operation (as in Asio), with `error` or with the result.
 */
export type CompletionCallback<T> = (error: Error | null, result?: T) => void;

/** Splits the `(options?, callback?)` tail every operation accepts. */
export function splitArgs<T>(
  a: OperationOptions | CompletionCallback<T> | undefined,
  b: CompletionCallback<T> | undefined,
): [AbortSignal | undefined, CompletionCallback<T> | undefined] {
  if (typeof a === 'function') return [undefined, a];
  return [a?.signal, b];
}

/** Delivers a promise's outcome to a callback (used by the composed operations). */
export function toCallback<T>(promise: Promise<T>, callback: CompletionCallback<T>): void {
  promise.then(
    (result) => callback(null, result),
    (error: unknown) => callback(asError(error)),
  );
}

/** The reason an aborted signal carries, as an Error. */
export function abortReason(signal: AbortSignal): Error {
  return asError(signal.reason);
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Completes an operation that finished at once — never inside the call that
 * started it; in a microtask, like a promise reaction, so both forms keep one order.
 */
export function succeed<T>(
  value: T,
  callback: CompletionCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return Promise.resolve(value);
  queueMicrotask(() => callback(null, value));
  return undefined;
}

/** Fails an operation at once, in the form it was posted in (as `succeed`). */
export function fail<T>(
  error: Error,
  callback: CompletionCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return Promise.reject(error);
  queueMicrotask(() => callback(error));
  return undefined;
}

/** A composed operation's Promise, or — given a callback — its outcome delivered there. */
export function inForm<T>(
  promise: Promise<T>,
  callback: CompletionCallback<T> | undefined,
): Promise<T> | undefined {
  if (!callback) return promise;
  toCallback(promise, callback);
  return undefined;
}
