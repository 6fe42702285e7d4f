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
  shutdown(fd: number, how: number, id: number): number;
  close(fd: number, id: number): number;
  cancel(targetId: number, id: number): number;
  flush(): number;
  stats(): RingStats;
  listen(host: string, port: number, backlog: number): [fd: number, port: number] | number;
}
