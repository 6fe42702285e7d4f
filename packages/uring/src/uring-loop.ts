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
 * -errno; `more` is true when a multishot operation will complete again;
 * `bufferId` names the pool buffer the bytes landed in (multishot recv),
 * else -1.
 */
export type Completion = (result: number, more: boolean, bufferId: number) => void;

/** How many completions one JS call carries at most (12 KiB of results). */
export const COMPLETION_BATCH = 1024;

/** `shutdown` directions, as in shutdown(2). */
export const SHUT_RD = 0;
export const SHUT_WR = 1;
export const SHUT_RDWR = 2;

const CQE_F_BUFFER = 1;
const CQE_F_MORE = 2;

/**
 * The provided-buffer pool of a loop, shared by every connection's multishot
 * recv: 2,048 buffers of 8 KiB, 16 MiB per loop whatever the number of
 * connections (a buffer is held only from its completion until the bytes
 * are copied out, or sent back by the echo). 8 KiB: one recv's worth of a
 * bulk stream without making the pool large; a pool run dry ends a
 * connection's recv with ENOBUFS, and it is posted again a turn later.
 */
export const POOL_BUFFER_SIZE = 8 * 1024;
export const POOL_BUFFERS = 2048;

/** `UringLoop.setOption` settings (native/socket-options.h). */
export const SOCKOPT_NODELAY = 0;
export const SOCKOPT_KEEPALIVE = 1;
export const SOCKOPT_LINGER_ZERO = 2;

/** A socket address as getsockname/getpeername give it. */
export interface SocketAddress {
  host: string;
  port: number;
  family: 'IPv4' | 'IPv6';
}

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
  /** Views of the pool's buffers by id; undefined until `pool()` registered them, null if it could not. */
  #pool: Uint8Array[] | null | undefined;

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

  /**
   * The provided-buffer pool (registered on first call), as one view per
   * buffer id; `undefined` where the kernel has no multishot recv or buffer
   * rings (Linux < 6.0), or `IOMODELS_URING_NO_POOL=1` was set when the
   * loop first asked, and `recvMultishot` must not be used.
   */
  pool(): readonly Uint8Array[] | undefined {
    if (this.#pool === undefined) {
      this.#pool = null;
      // IOMODELS_URING_NO_POOL=1: what a kernel < 6.0 gets (tests of that path, comparisons).
      if (this.facts.multishotRecv && process.env.IOMODELS_URING_NO_POOL !== '1') {
        const memory = new Uint8Array(POOL_BUFFER_SIZE * POOL_BUFFERS);
        if (this.#binding.provideBuffers(memory, POOL_BUFFER_SIZE, POOL_BUFFERS) === 0) {
          this.#pool = Array.from({ length: POOL_BUFFERS }, (_, id) =>
            memory.subarray(id * POOL_BUFFER_SIZE, (id + 1) * POOL_BUFFER_SIZE),
          );
        }
      }
    }
    return this.#pool ?? undefined;
  }

  /**
   * One recv that completes every time bytes arrive, each time into a
   * buffer of `pool()` (`bufferId`; hand it back with `recycle`), until the
   * peer's FIN (0), an error, `cancel` (-ECANCELED) or a dry pool (-ENOBUFS)
   * ends it (`more` false).
   */
  recvMultishot(fd: number, callback: Completion): number {
    const id = this.#slot(callback, undefined);
    return this.#started(id, this.#binding.recvMultishot(fd, id));
  }

  /** Gives pool buffer `bufferId` back to the kernel for the next arrival (no syscall). */
  recycle(bufferId: number): void {
    this.#binding.recycle(bufferId);
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

  /**
   * Sets an option on `fd` at once (a plain setsockopt, not through the
   * ring): `SOCKOPT_NODELAY` (value 0/1), `SOCKOPT_KEEPALIVE` (value < 0
   * off, else idle seconds before the first probe), `SOCKOPT_LINGER_ZERO`
   * (close sends RST). Returns 0 or -errno.
   */
  setOption(fd: number, which: number, value: number): number {
    return this.#binding.sockopt(fd, which, value);
  }

  /**
   * A close-on-exec duplicate of `fd` (or -errno): how a connection another
   * owner accepted (a libuv handle, which closes its own descriptor) comes
   * over to the ring.
   */
  duplicate(fd: number): number {
    return this.#binding.dup(fd);
  }

  /** `fd`'s own (`peer` false) or its peer's address; -errno when the socket has none. */
  address(fd: number, peer: boolean): SocketAddress | number {
    const answer = this.#binding.address(fd, peer);
    if (typeof answer === 'number') return answer;
    return { host: answer[0], port: answer[1], family: answer[2] === 6 ? 'IPv6' : 'IPv4' };
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
      queueMicrotask(() => callback(queued, false, -1));
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
      const flags = results[3 * i + 2]!;
      const more = (flags & CQE_F_MORE) !== 0;
      const bufferId = flags & CQE_F_BUFFER ? flags >>> 16 : -1;
      const callback = more ? this.#callbacks[id] : this.#release(id);
      // The batch is already reaped: one callback's throw must not drop the rest.
      try {
        callback?.(result, more, bufferId);
      } catch (error) {
        thrown ??= { error };
      }
    }
    if (thrown) throw thrown.error;
  }
}

function ignore(): void {}
