// How a ForkingTCPServer child learns, synchronously, that the server fired
// its connection's signal. A handler blocked in read(2) or busy in blocking
// calls never returns to the child's event loop, so an IPC message waits
// until it ends; threads read a SharedArrayBuffer for this (thread-pool.ts),
// and processes cannot share one. They share a file instead: an unlinked
// file the server writes the connection's id into (pwrite) and the child
// reads at its blocking calls (pread: a regular file never blocks). Through
// fs.readSync a read costs 1-3 µs, as much as a small message's own
// read(2), so a child reads the file at most once per
// ABORT_FLAG_CHECK_INTERVAL; a read(2) that waited longer than that is
// always followed by a check.
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

/**
 * How often a child reads its flag at most, in ms. A fired signal reaches a
 * busy handler within this long of its next blocking call; one that waits
 * in read(2) longer than this, as soon as the read returns. Read on every
 * call (as threads read theirs, for free), the flag cost a forked 64-byte
 * echo a fifth more CPU per round trip in the child: 13.8 µs against 11.5
 * without it and 12.5 throttled (medians of 5 runs of 60k round trips).
 */
export const ABORT_FLAG_CHECK_INTERVAL = 1;

/** The child's side: reads the flag, at most once per {@link ABORT_FLAG_CHECK_INTERVAL}. */
export class AbortFlagReader {
  readonly #fd: number;
  readonly #bytes = Buffer.alloc(4);
  #readAt = Number.NEGATIVE_INFINITY;
  #id = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The id of the connection whose signal fired (0: none), as last read. */
  read(): number {
    const now = performance.now();
    if (now - this.#readAt >= ABORT_FLAG_CHECK_INTERVAL) {
      this.#readAt = now;
      this.#id = fs.readSync(this.#fd, this.#bytes, 0, 4, 0) === 4 ? this.#bytes.readInt32LE(0) : 0;
    }
    return this.#id;
  }
}
