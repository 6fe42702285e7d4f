// How a socket's reads reach memory: straight on the libuv handle with one
// staging buffer every socket shares (`native`), or through the public
// net.Socket API (`emulated`); and why a socket stayed on the public API.
import type net from 'node:net';
import { DEFAULT_RECV_SIZE } from '@iomodels/contract';
import {
  type AcceptedHandle,
  type ByteStream,
  type ByteStreamListener,
  byteStreamOf,
  handleStreamSupported,
} from '@iomodels/fd';

/**
 * How a socket's reads reach the caller's buffer.
 * `uring`: the connection is a descriptor driven through io_uring
 * (`@iomodels/uring` UringByteStream, `Proactor` option `backend`): the
 * kernel completes each recv into the caller's buffer when a read into it
 * is posted, else into a buffer of the connection's own.
 * `native`: the connection runs straight on its libuv handle (`@iomodels/fd`
 * HandleStream, no net.Socket): libuv reads into the caller's own buffer
 * when a read into it is already posted at that moment, else into one
 * staging buffer every socket shares (the completion copies out of it at
 * once). `emulated`: the public net.Socket API (`@iomodels/fd`
 * SocketStream): Node reads into chunks it allocates, which are copied into
 * the caller's buffer.
 */
export type ReadPath = 'native' | 'emulated' | 'uring';

/**
 * Where libuv reads for every socket that has no caller's buffer installed.
 * Shared: each read is consumed (completed or copied out) inside its
 * callback, before libuv reads into it again for any socket — libuv reads
 * one socket at a time on this thread. An idle socket holds no read buffer.
 */
export const STAGING: Buffer = Buffer.allocUnsafeSlow(DEFAULT_RECV_SIZE);

/** The start of STAGING as a view, kept while reads keep the same length (no view made per read). */
let stagedView: Uint8Array = STAGING.subarray(0, 0);

/** The first `length` bytes of the staging buffer (valid until the next read lands there). */
export function staged(length: number): Uint8Array {
  if (stagedView.length !== length) stagedView = STAGING.subarray(0, length);
  return stagedView;
}

/** A copy the caller owns of bytes in the staging buffer: a Buffer (the streams write it as is) from Node's pool. */
export function copyOf(view: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(view.length);
  out.set(view, 0);
  return out;
}

/** Why accepted sockets are not on the native path, when one was not (first reason seen). */
let fallbackReason: string | undefined;

/** The ByteStream for `socket`: handle-level with `prefer: 'handle'` where fd allows it, else the public API. */
export function streamOf(
  socket: net.Socket | AcceptedHandle,
  listener: ByteStreamListener,
  prefer: 'handle' | 'socket',
): ByteStream {
  return byteStreamOf(socket, listener, STAGING, prefer, noteFallback);
}

/** What makes a connection's ByteStream for its owner (the listener is the owner). */
export type StreamSource = (listener: ByteStreamListener) => ByteStream;

/** The read path a stream of `kind` gives. */
export function readPathOf(kind: ByteStream['kind']): ReadPath {
  return kind === 'handle' ? 'native' : kind === 'socket' ? 'emulated' : 'uring';
}

/** Remembers the first reason a socket stayed on the public API, for `handlePathProblem`. */
function noteFallback(reason: string): void {
  fallbackReason ??= reason;
}

/**
 * Why accepted sockets do not run straight on their libuv handle here:
 * `undefined` when they do (the capability check of `packages/fd`), else
 * the reason.
 * @internal
 */
export function handlePathProblem(): string | undefined {
  if (!handleStreamSupported()) {
    return "the handle-level ByteStream of @iomodels/fd is unsupported on this runtime (process.binding('stream_wrap'))";
  }
  return fallbackReason;
}
