// The add-on's surface as TypeScript sees it (native/addon.c). Every
// operation returns 0 when queued or -errno at once; its result arrives
// later through the `onComplete` given to `open`.

/** What `open` reports about the ring it created. */
export interface RingFacts {
  sqEntries: number;
  cqEntries: number;
  /** IORING_FEAT_* bits from io_uring_setup. */
  features: number;
  /** Whether one accept can complete many times (Linux ≥ 5.19). */
  multishotAccept: boolean;
  /** Whether one recv can complete many times into a provided buffer (Linux ≥ 6.0). */
  multishotRecv: boolean;
}

/** Counters of the current ring, for tests and the README's syscall signature. */
export interface RingStats {
  /** `io_uring_enter` calls (one per flushed batch). */
  enters: number;
  /** Operations the kernel took. */
  submitted: number;
  /** Completions copied out of the completion queue. */
  reaped: number;
  /** JavaScript calls made with completions (one per batch). */
  callbacks: number;
  /** Operations whose final completion has not come yet. */
  inflight: number;
  /**
   * Times the 100 ms safety timer found completions no eventfd signal had
   * announced (a lost wakeup); 0 in every run so far.
   */
  rescued: number;
}

/** The native module loaded from `build/uring.node`. */
export interface UringBinding {
  /** 0, -errno from io_uring_setup, or 1000 + the first missing opcode. */
  probe(): number;
  open(onComplete: (count: number) => void, results: Int32Array): RingFacts | number;
  closeRing(): number;
  accept(listenFd: number, id: number, multishot: boolean): number;
  recv(fd: number, buffer: Uint8Array, offset: number, length: number, id: number): number;
  send(fd: number, buffer: Uint8Array, offset: number, length: number, id: number): number;
  /** A multishot recv into the provided-buffer ring; -ENOBUFS when none is registered. */
  recvMultishot(fd: number, id: number): number;
  /** Registers `count` buffers of `size` bytes in `pool` as the ring's buffer group; 0 or -errno. */
  provideBuffers(pool: Uint8Array, size: number, count: number): number;
  /** Hands buffer `bufferId` of the pool back to the kernel. */
  recycle(bufferId: number): void;
  shutdown(fd: number, how: number, id: number): number;
  close(fd: number, id: number): number;
  cancel(targetId: number, id: number): number;
  flush(): number;
  stats(): RingStats;
  listen(host: string, port: number, backlog: number): [fd: number, port: number] | number;
  /** 0 nodelay, 1 keepalive (value < 0 off, else idle seconds), 2 linger 0; → 0 or -errno. */
  sockopt(fd: number, which: number, value: number): number;
  /** A close-on-exec duplicate of `fd`, or -errno. */
  dup(fd: number): number;
  /** getsockname (peer false) or getpeername (true) → [host, port, 4 | 6] or -errno. */
  address(fd: number, peer: boolean): [host: string, port: number, family: 4 | 6] | number;
}
