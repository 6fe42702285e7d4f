// How a ForkingTCPServer child learns, synchronously, that the server fired
// its connection's signal. A handler blocked in read(2) or busy in blocking
// calls never returns to the child's event loop, so an IPC message waits
// until it ends; threads read a SharedArrayBuffer for this (thread-pool.ts),
// and processes cannot share one. They share a file instead: an unlinked
// file the server writes the connection's id into (pwrite) and the child
// reads at its next blocking call (pread: a regular file never blocks, and
// about half a microsecond per check).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The descriptor the flag has in a child (its stdio slot: after stdin, stdout, stderr, the IPC channel). */
export const CHILD_ABORT_FLAG_FD = 4;

let created = 0;

/** The server's side of one child's flag. */
export class FileAbortFlag {
  /** Pass it to the child at stdio slot {@link CHILD_ABORT_FLAG_FD}. */
  readonly fd: number;
  readonly #bytes = Buffer.alloc(4);
  #closed = false;

  constructor() {
    const file = path.join(os.tmpdir(), `iomodels-abort-${process.pid}-${++created}`);
    this.fd = fs.openSync(file, 'wx+', 0o600);
    // Nothing to clean up later, whatever happens to either process.
    fs.unlinkSync(file);
    this.raise(0);
  }

  /** Connection `id`'s signal fired (0: none). */
  raise(id: number): void {
    if (this.#closed) return;
    this.#bytes.writeInt32LE(id, 0);
    fs.writeSync(this.fd, this.#bytes, 0, 4, 0);
  }

  /** Closes the server's copy. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.fd);
  }
}

/** The child's side: the id of the connection whose signal fired, 0 if none. */
export function readAbortFlag(fd: number, scratch: Buffer): number {
  return fs.readSync(fd, scratch, 0, 4, 0) === 4 ? scratch.readInt32LE(0) : 0;
}
