// The one shutdown sequence every model runs over its open requests:
// signal → grace → FIN → short wait → RST → short wait.

/** What happened to the requests that were open when shutdown began. */
export interface ShutdownReport {
  /** Finished on their own within the grace period. */
  completed: number;
  /** Finished after the server sent FIN. */
  interrupted: number;
  /** Had to be reset (RST). */
  aborted: number;
  /**
   * Of the aborted, still not finished when the sequence gave up — only a
   * model whose threads block in `read(2)` can have any (see its README).
   */
  abandoned: number;
}

/** One open request, as the sequence sees it. */
export interface ShutdownTarget {
  /** Settles when the request has finished; never rejects. */
  readonly done: Promise<unknown>;
  /** Fires the handler's `AbortSignal`. */
  signal(): void;
  /** Sends FIN: a well-behaved peer then closes and the handler's `recv` returns empty. */
  closeWrite(): void;
  /** Resets the connection. */
  abort(): void;
}

/** Phase lengths in milliseconds. */
export interface ShutdownTimings {
  /** How long handlers may finish after their signal fired. */
  grace: number;
  /** How long after FIN before reset. */
  closeWriteGrace: number;
  /** How long after reset before giving a request up as abandoned. */
  abortGrace: number;
}

/** Runs the sequence; resolves with the report once every request finished or was given up. */
export async function runShutdownSequence(
  targets: Iterable<ShutdownTarget>,
  timings: ShutdownTimings,
): Promise<ShutdownReport> {
  const open = new Set<ShutdownTarget>();
  for (const target of targets) {
    open.add(target);
    void target.done.then(() => open.delete(target));
  }
  const report: ShutdownReport = { completed: 0, interrupted: 0, aborted: 0, abandoned: 0 };
  const total = open.size;

  for (const target of open) target.signal();
  await settleWithin(open, timings.grace);
  report.completed = total - open.size;

  const afterGrace = open.size;
  for (const target of open) target.closeWrite();
  await settleWithin(open, timings.closeWriteGrace);
  report.interrupted = afterGrace - open.size;

  report.aborted = open.size;
  for (const target of open) target.abort();
  await settleWithin(open, timings.abortGrace);
  report.abandoned = open.size;
  return report;
}

/** Waits until every target in `open` is done, or `ms` passed (Infinity: no limit). */
async function settleWithin(open: Set<ShutdownTarget>, ms: number): Promise<void> {
  if (open.size === 0) return;
  const all = Promise.all([...open].map((target) => target.done));
  if (ms === Number.POSITIVE_INFINITY) {
    await all;
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([all, timeout]);
  clearTimeout(timer);
  // let the `done` callbacks above remove what settled in the same tick
  await new Promise<void>((resolve) => setImmediate(resolve));
}
