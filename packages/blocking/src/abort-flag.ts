// How a ForkingTCPServer child and its server tell each other, without a
// message, what a handler in blocking calls must know at once: that the
// server fired its connection's signal, that the server found the
// connection idle past `idleTimeout` — and, the other way, that the child
// moved bytes (the activity the server's idle watch counts). A handler
// blocked in read(2) or busy in blocking calls never returns to the child's
// event loop, so an IPC message waits until it ends; threads share a
// SharedArrayBuffer for this (thread-pool.ts, same slots), and processes
// cannot share one. They share a file instead: an unlinked file of three
// int32 slots (RUNNER_FLAG_SLOTS). The server writes a connection's id into
// the first two (pwrite) and reads the third; the child reads the first
// two at its blocking calls (pread: a regular file never blocks) and writes
// the third. Through fs.readSync/writeSync a call costs 1-3 µs, as much as a
// small message's own read(2), so a child reads the file at most once per
// ABORT_FLAG_CHECK_INTERVAL (a read(2) that waited longer than that, or that
// returned the end of stream, is always followed by a read) and writes its
// activity at most as often: no system call of its own per message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The descriptor the flag has in a child (its stdio slot: after stdin, stdout, stderr, the IPC channel). */
export const CHILD_ABORT_FLAG_FD = 4;

/** The int32 slots a runner shares with its server, in a thread's shared memory or a child's file. */
export const RunnerFlag = {
  /** Server → runner: the id of the connection whose signal fired (0: none). */
  abort: 0,
  /** Server → runner: the id of the connection found idle past `idleTimeout` (0: none). */
  timedOut: 1,
  /** Runner → server: a count that grows as the runner moves bytes (it may wrap). */
  activity: 2,
} as const;

/** How many slots {@link RunnerFlag} names. */
export const RUNNER_FLAG_SLOTS = 3;

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
    fs.writeSync(this.fd, Buffer.alloc(4 * RUNNER_FLAG_SLOTS), 0, 4 * RUNNER_FLAG_SLOTS, 0);
  }

  /** Connection `id`'s signal fired (0: none). */
  raise(id: number): void {
    this.#write(RunnerFlag.abort, id);
  }

  /** Connection `id` was idle past `idleTimeout`: its `recv` rejects from now on. */
  timeOut(id: number): void {
    this.#write(RunnerFlag.timedOut, id);
  }

  /** The child's activity count, as it last wrote it (0 once closed). */
  activity(): number {
    if (this.#closed) return 0;
    const n = fs.readSync(this.fd, this.#bytes, 0, 4, 4 * RunnerFlag.activity);
    return n === 4 ? this.#bytes.readInt32LE(0) : 0;
  }

  /** Closes the server's copy. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.fd);
  }

  #write(slot: number, value: number): void {
    if (this.#closed) return;
    this.#bytes.writeInt32LE(value, 0);
    fs.writeSync(this.fd, this.#bytes, 0, 4, 4 * slot);
  }
}

/**
 * How often a child reads its flag, and writes its activity, at most, in
 * ms. A read(2) that waited this long or longer, or that returned the end
 * of stream (the FIN a server sends at shutdown ends a well-behaved peer's
 * connection), is always followed by a flag read: a signal fired while the
 * handler waited reaches it before the bytes. A busy handler hears it
 * within this long, or {@link ABORT_FLAG_CALLS_PER_CLOCK} calls, of its
 * next blocking call.
 * Read on every call (as threads read theirs, for free), the flag cost a
 * forked 64-byte echo a fifth more CPU per round trip in the child: 13.8 µs
 * against 11.5 without it (medians of 5 runs of 60k round trips). At 1 ms,
 * ten children sharing a core (each one's read(2) waits a few hundred µs
 * for its peer's next message) still read it every few messages: 0.53 pread
 * per round trip under `strace -f`, 4 % of the throughput at 10 connections
 * (7 interleaved pairs, 7 of 7 ahead without it). At 10 ms, one in tens.
 * The activity the server sees lags the child's by at most this long:
 * nothing next to an idle timeout.
 */
export const ABORT_FLAG_CHECK_INTERVAL = 10;

/**
 * Calls before a read or a write that pass without a look at the clock (a
 * read(2) that returned always looks: how long it waited is what decides).
 * With ten children on one core, a child that looked at no clock served
 * the 64-byte echo at 1.20x the messages per second of one that called
 * `performance.now()` three times per round trip (before the read, after
 * it, before the write; 7 interleaved pairs, 6 ahead, 0.85x the CPU per
 * message): the layers above the clock, run with cold caches after every
 * switch. `Date.now()` (fewer layers) three times: 1.05x; once per round
 * trip, as now: 1.07x (6 of 7).
 */
export const ABORT_FLAG_CALLS_PER_CLOCK = 16;

/**
 * The child's side: reads the flag and writes its activity, each at most
 * once per {@link ABORT_FLAG_CHECK_INTERVAL}.
 */
export class AbortFlagReader {
  readonly #fd: number;
  readonly #bytes = Buffer.alloc(8);
  readonly #activityBytes = Buffer.alloc(4);
  #readAt = Number.NEGATIVE_INFINITY;
  #wroteAt = Number.NEGATIVE_INFINITY;
  #calls = 0;
  #id = 0;
  #timedOut = 0;
  #activity = 0;
  readonly #now: () => number;

  /**
   * `now` is the clock the interval is measured on, in ms (tests pass their
   * own). The wall clock by default: the cheapest to read, and where it
   * steps back, the flag is read (and the activity written) at once.
   */
  constructor(fd: number, now: () => number = Date.now) {
    this.#fd = fd;
    this.#now = now;
  }

  /**
   * The id of the connection whose signal fired (0: none), as last read.
   * `afterRead`: the byte count a read(2) just returned; absent before a
   * read or a write. The file is read again at the end of stream, or once
   * the interval has passed since the last time — looked at after every
   * read(2), before others every {@link ABORT_FLAG_CALLS_PER_CLOCK} calls.
   */
  read(afterRead?: number): number {
    if (afterRead === undefined && ++this.#calls < ABORT_FLAG_CALLS_PER_CLOCK) return this.#id;
    this.#calls = 0;
    const now = this.#now();
    if (afterRead === 0 || !elapsedWithin(now, this.#readAt)) {
      this.#readAt = now;
      const n = fs.readSync(this.#fd, this.#bytes, 0, 8, 4 * RunnerFlag.abort);
      this.#id = n >= 4 ? this.#bytes.readInt32LE(0) : 0;
      this.#timedOut = n === 8 ? this.#bytes.readInt32LE(4) : 0;
    }
    return this.#id;
  }

  /** The id of the connection the server found idle (0: none), as last read by {@link read}. */
  timedOut(): number {
    return this.#timedOut;
  }

  /** Bytes moved: counts, and tells the server if it has not been told within the interval. */
  touch(): void {
    this.#activity = (this.#activity + 1) | 0;
    const now = this.#now();
    if (elapsedWithin(now, this.#wroteAt)) return;
    this.#wroteAt = now;
    this.#activityBytes.writeInt32LE(this.#activity, 0);
    fs.writeSync(this.#fd, this.#activityBytes, 0, 4, 4 * RunnerFlag.activity);
  }
}

/** Less than the interval since `then`, by a clock that did not step back. */
function elapsedWithin(now: number, then: number): boolean {
  const elapsed = now - then;
  return elapsed >= 0 && elapsed < ABORT_FLAG_CHECK_INTERVAL;
}
