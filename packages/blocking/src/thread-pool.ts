// The pool behind ThreadingTCPServer: the pool core (runner-pool.ts) with
// worker threads as runners. A thread shares this process's descriptor
// table, so it gets the descriptor's number; one that is blocked in read(2)
// cannot be stopped, so its connection is abandoned rather than killed.
import { Worker } from 'node:worker_threads';
import type { ErrorSink } from '@iomodels/contract';
import { descriptorOf } from '@iomodels/fd';
import { RUNNER_FLAG_SLOTS, RunnerFlag } from './abort-flag.js';
import { entryFile } from './entry-file.js';
import { type PoolJob, PoolRunner, type RunnerEvents, RunnerPool } from './runner-pool.js';
import type { RunnerBoot, RunnerMessage, WireHandlerReference } from './wire.js';

export interface ThreadPoolOptions {
  handler: WireHandlerReference;
  maxThreads: number;
  /** Idle threads kept started ahead of demand (a thread takes milliseconds to start). */
  spareThreads: number;
  /** Threads started at once at most: more only slows the first of them down. */
  startConcurrency?: number;
  /** Busy threads do not keep the process alive (Python's `daemon_threads`). */
  daemonThreads: boolean;
  /** Where handler errors go: the server's `handleError`. */
  onError: ErrorSink;
  /** The server's `idleTimeout` in ms (0/absent: none). */
  idleTimeout?: number;
  /** Ms an idle thread beyond `spareThreads` lives before it is stopped (0/absent: never). */
  threadIdleTimeout?: number;
  /** Threads handle datagrams (a UDP server's pool), not connections. */
  datagram?: boolean;
}

/** One worker thread. */
class PoolThread extends PoolRunner {
  readonly worker: Worker;
  /**
   * The slots of `RunnerFlag` (abort-flag.ts), shared with the thread: the
   * id of a job whose signal fired or that timed out, the thread's activity.
   */
  readonly flags = new Int32Array(new SharedArrayBuffer(4 * RUNNER_FLAG_SLOTS));
  readonly #daemon: boolean;

  constructor(events: RunnerEvents<PoolThread>, boot: RunnerBoot, daemon: boolean) {
    super();
    this.#daemon = daemon;
    this.worker = new Worker(entryFile('threading-worker'), {
      workerData: { ...boot, flags: this.flags },
    });
    this.worker.unref(); // a thread that is not serving keeps nothing alive
    this.worker.on('message', (message: RunnerMessage) => events.onMessage(this, message));
    this.worker.on('error', (error) => events.onError(this, error));
    this.worker.on('exit', (code) => events.onExit(this, code, null));
  }

  get name(): string {
    return `handler thread ${this.worker.threadId}`;
  }

  serve(job: PoolJob): void {
    Atomics.store(this.flags, RunnerFlag.abort, 0);
    if (this.#daemon) this.worker.unref();
    else this.worker.ref();
    this.worker.postMessage(
      job.datagram ? this.datagramMessage(job) : this.serveMessage(job, descriptorOf(job.socket!)),
    );
  }

  /**
   * A handler busy in blocking calls never returns to its thread's event
   * loop: the flag is checked before each of its reads and writes; the
   * message reaches a handler that awaits something else.
   */
  signal(job: PoolJob): void {
    Atomics.store(this.flags, RunnerFlag.abort, job.id);
    this.worker.postMessage(this.abortMessage(job));
  }

  activity(): number {
    return Atomics.load(this.flags, RunnerFlag.activity);
  }

  timeOut(job: PoolJob): void {
    Atomics.store(this.flags, RunnerFlag.timedOut, job.id);
  }

  /**
   * A thread may still be inside read(2) on this descriptor: closing it
   * would not wake the thread, and the number could be reused by the next
   * connection under its feet. So the descriptor stays open until the
   * thread lets go; FIN has been sent; the sequence reports it abandoned.
   */
  interrupt(): void {}

  override park(): void {
    this.worker.unref();
  }

  retire(): void {
    void this.worker.terminate();
  }

  /**
   * An idle thread is terminated and awaited. A thread still blocked in
   * read(2) cannot be stopped from JavaScript: it is asked to terminate (it
   * will as soon as its read returns) and unreferenced.
   */
  async end(): Promise<void> {
    if (this.job) {
      this.worker.unref();
      void this.worker.terminate().catch(() => {});
      return;
    }
    await this.worker.terminate().catch(() => {});
  }
}

export class ThreadPool extends RunnerPool<PoolThread> {
  readonly #boot: RunnerBoot;
  readonly #daemon: boolean;

  constructor(options: ThreadPoolOptions) {
    super({
      max: options.maxThreads,
      spare: options.spareThreads,
      startConcurrency: options.startConcurrency,
      onError: options.onError,
      idleTimeout: options.idleTimeout,
      retireIdleAfter: options.threadIdleTimeout,
    });
    const { handler, idleTimeout, datagram } = options;
    this.#boot = { handler, idleTimeout, ...(datagram && { datagram }) };
    this.#daemon = options.daemonThreads;
  }

  /** The first thread keeps the process alive until it is ready: nothing else does yet. */
  override start(): Promise<void> {
    const ready = super.start();
    for (const thread of this.runners) thread.worker.ref();
    return ready;
  }

  protected createRunner(): PoolThread {
    return new PoolThread(this, this.#boot, this.#daemon);
  }
}
