// The ring of this thread's event loop, seen from JavaScript: start an
// operation with a completion callback, and the callback runs once the
// kernel has done it. Operations are queued into the submission queue and
// submitted together when the loop turn ends (one io_uring_enter per turn);
// completions come back a batch at a time through one shared Int32Array,
// so a message costs one JS→C call to start it and a share of one C→JS
// call to complete it.
import { errnoName } from './errno-name.js';
import { loadUring } from './load.js';
import type { RingFacts, RingStats, UringBinding } from './uring-binding.js';

/**
 * A completion: `result` is bytes (recv/send), a descriptor (accept), 0, or
 * -errno; `more` is true when a multishot operation will complete again.
 */
export type Completion = (result: number, more: boolean) => void;

/** How many completions one JS call carries at most (12 KiB of results). */
export const COMPLETION_BATCH = 1024;

/** `shutdown` directions, as in shutdown(2). */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

const CQE_F_MORE = 2;

/** Thrown when an operation is started on a loop whose ring is gone or unavailable. */
export class UringUnavailableError extends Error {
  readonly code = 'IOMODELS_URING_UNAVAILABLE';
  static isInstance(value: unknown): value is UringUnavailableError {
    return (
      value instanceof Error && (value as { code?: unknown }).code === 'IOMODELS_URING_UNAVAILABLE'
    );
  }
}

let current: UringLoop | null = null;

/**
 * One io_uring per event loop. `UringLoop.open()` returns this thread's
 * (creating it on first use) or throws `UringUnavailableError` with the
 * loader's reason. Ids are recycled slots; a slot is freed just before its
 * final completion runs, so the callback may start the next operation.
 */
export class UringLoop {
  readonly facts: RingFacts;
  readonly #binding: UringBinding;
  readonly #results = new Int32Array(COMPLETION_BATCH * 3);
  readonly #callbacks: Array<Completion | undefined> = [];
  /** Buffers the kernel writes into or reads from, kept alive until their completion. */
  readonly #buffers: Array<Uint8Array | undefined> = [];
  readonly #free: number[] = [];
  #closed = false;

  private constructor(binding: UringBinding) {
    this.#binding = binding;
    const facts = binding.open((count) => this.#complete(count), this.#results);
    if (typeof facts === 'number') {
      throw new UringUnavailableError(`io_uring ring setup failed: ${errnoName(facts)}`);
    }
    this.facts = facts;
  }

  /** This event loop's ring. */
  static open(): UringLoop {
    if (current && !current.#closed) return current;
    const loaded = loadUring();
    if (!loaded.available) throw new UringUnavailableError(loaded.reason);
    current = new UringLoop(loaded.binding);
    return current;
  }

  /** A listening TCP socket on `host:port` for `accept` (port 0: any). */
  listen(host: string, port: number, backlog: number): { fd: number; port: number } {
    const answer = this.#binding.listen(host, port, backlog);
    if (typeof answer === 'number') {
      const error = new Error(`listen ${host}:${port}: ${errnoName(answer)}`);
      Object.assign(error, { code: errnoName(answer) });
      throw error;
    }
    return { fd: answer[0], port: answer[1] };
  }

  /** Accepts connections; `multishot` (when `facts.multishotAccept`) keeps it armed. */
  accept(listenFd: number, callback: Completion, multishot = this.facts.multishotAccept): number {
    const id = this.#slot(callback, undefined);
    return this.#started(id, this.#binding.accept(listenFd, id, multishot));
  }

  /** Reads into `buffer[offset, offset + length)`; 0 means the peer sent FIN. */
  recv(fd: number, buffer: Uint8Array, offset: number, length: number, cb: Completion): number {
    const id = this.#slot(cb, buffer);
    return this.#started(id, this.#binding.recv(fd, buffer, offset, length, id));
  }

  /** Sends `buffer[offset, offset + length)`; may complete with fewer bytes. */
  send(fd: number, buffer: Uint8Array, offset: number, length: number, cb: Completion): number {
    const id = this.#slot(cb, buffer);
    return this.#started(id, this.#binding.send(fd, buffer, offset, length, id));
  }

  /** shutdown(2) through the ring: `SHUT_WR` sends FIN. */
  shutdown(fd: number, how: number, callback: Completion): number {
    const id = this.#slot(callback, undefined);
    return this.#started(id, this.#binding.shutdown(fd, how, id));
  }

  /** Closes `fd` through the ring. */
  close(fd: number, callback: Completion = ignore): number {
    const id = this.#slot(callback, undefined);
    return this.#started(id, this.#binding.close(fd, id));
  }

  /**
   * Cancels operation `target`: it completes with -ECANCELED (unless it
   * completed first); `callback` gets 0, -ENOENT or -EALREADY.
   */
  cancel(target: number, callback: Completion = ignore): number {
    const id = this.#slot(callback, undefined);
    return this.#started(id, this.#binding.cancel(target, id));
  }

  /** Submits what is queued now instead of at the end of the loop turn. */
  flush(): number {
    return this.#binding.flush();
  }

  /** Counters of this ring (syscalls, operations, JS calls). */
  stats(): RingStats {
    return this.#binding.stats();
  }

  /** Tears the ring down; operations still in flight never complete. */
  destroy(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#binding.closeRing();
    if (current === this) current = null;
  }

  #slot(callback: Completion, buffer: Uint8Array | undefined): number {
    if (this.#closed) throw new UringUnavailableError('this io_uring ring was closed');
    const id = this.#free.pop() ?? this.#callbacks.length;
    this.#callbacks[id] = callback;
    this.#buffers[id] = buffer;
    return id;
  }

  /** A refused start (-errno, e.g. EBUSY) still completes, a microtask later. */
  #started(id: number, queued: number): number {
    if (queued < 0) {
      const callback = this.#release(id);
      queueMicrotask(() => callback(queued, false));
    }
    return id;
  }

  #release(id: number): Completion {
    const callback = this.#callbacks[id]!;
    this.#callbacks[id] = undefined;
    this.#buffers[id] = undefined;
    this.#free.push(id);
    return callback;
  }

  #complete(count: number): void {
    const results = this.#results;
    let thrown: { error: unknown } | undefined;
    for (let i = 0; i < count; i++) {
      const id = results[3 * i]!;
      const result = results[3 * i + 1]!;
      const more = (results[3 * i + 2]! & CQE_F_MORE) !== 0;
      const callback = more ? this.#callbacks[id] : this.#release(id);
      // The batch is already reaped: one callback's throw must not drop the rest.
      try {
        callback?.(result, more);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) throw thrown.error;
  }
}

function ignore(): void {}
