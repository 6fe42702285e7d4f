// The capability check: every Node internal this package relies on is
// named here, so an unsupported runtime fails once, with a clear message.
import fs from 'node:fs';
import { UnsupportedRuntimeError } from '@iomodels/contract/core';

/**
 * A libuv stream handle as Node keeps it on `socket._handle` (internal,
 * unstable): `TCP`, or `Pipe` for a Unix socket — both have the descriptor
 * and `setBlocking`, and both cross an IPC channel to a child.
 */
export interface TcpHandle {
  readonly fd: number;
  setBlocking(blocking: boolean): number;
  close(callback?: () => void): void;
}

let problem: string | undefined | null = null;

/** Why this runtime cannot run descriptor-level IO, or `undefined` if it can. */
function detectProblem(): string | undefined {
  if (process.platform === 'win32') {
    return 'socket descriptors are not file descriptors on Windows (fs.readSync on a socket)';
  }
  if (typeof fs.readSync !== 'function' || typeof fs.writeSync !== 'function') {
    return 'fs.readSync / fs.writeSync';
  }
  return undefined;
}

/**
 * Throws `UnsupportedRuntimeError` naming the missing internal, once per
 * process (the result is remembered). Call it before using this package.
 */
export function checkRuntime(): void {
  if (problem === null) problem = detectProblem();
  if (problem !== undefined) throw unsupported(problem);
}

/** The error for a missing internal, with the runtime named. */
export function unsupported(what: string): UnsupportedRuntimeError {
  return new UnsupportedRuntimeError(
    `descriptor-level socket IO needs a Node internal this runtime lacks: ${what} ` +
      `(Node.js ${process.version} on ${process.platform}; verified on Node 20 and 24, Linux and macOS)`,
  );
}

/** Returns `target`'s TCP or Pipe handle after checking the internals on it, or throws. */
export function tcpHandleOf(target: unknown): TcpHandle {
  checkRuntime();
  const handle =
    target !== null && typeof target === 'object' && '_handle' in target
      ? (target as { _handle: unknown })._handle
      : target;
  if (handle === null || typeof handle !== 'object') {
    throw unsupported(
      'socket._handle (the socket has no libuv handle: closed, or not a TCP or Unix socket)',
    );
  }
  const { fd, setBlocking } = handle as Partial<TcpHandle>;
  if (typeof fd !== 'number' || fd < 0) throw unsupported('socket._handle.fd');
  if (typeof setBlocking !== 'function') throw unsupported('socket._handle.setBlocking()');
  return handle as TcpHandle;
}
