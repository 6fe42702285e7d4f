// Passing a connection's raw descriptor to a child process over the IPC
// channel (SCM_RIGHTS underneath). Sending the raw handle, not the
// net.Socket, matters twice: the child gets a handle that is not reading,
// and the parent keeps its own copy of the descriptor.
import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { type TcpHandle, tcpHandleOf, unsupported } from './runtime-check.js';

/**
 * Sends `message` with the socket's descriptor to `child`. The parent's
 * socket stays open (its copy of the descriptor): the connection ends only
 * when both sides have closed their copy. `callback` gets an error if the
 * channel is gone.
 */
export function sendSocket(
  child: ChildProcess,
  message: object,
  socket: Socket,
  callback?: (error: Error | null) => void,
): boolean {
  const handle = tcpHandleOf(socket);
  // `send`'s types only name net.Socket/net.Server; the raw handle is the
  // documented-by-behaviour 'net.Native' path of child_process.
  const send = child.send as (
    message: object,
    handle: unknown,
    callback?: (error: Error | null) => void,
  ) => boolean;
  return send.call(child, message, handle, callback);
}

/** Checks what a child's `process.on('message', (msg, handle))` received: a TCP handle. */
export function receivedHandle(handle: unknown): TcpHandle {
  if (handle === undefined || handle === null) {
    throw unsupported('a TCP handle passed over the IPC channel (none arrived)');
  }
  return tcpHandleOf(handle);
}

/** Closes a received handle (the child's copy of the descriptor). */
export function closeHandle(handle: TcpHandle): Promise<void> {
  return new Promise((resolve) => handle.close(() => resolve()));
}
