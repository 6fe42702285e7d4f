// The pool behind ThreadingTCPServer: worker threads started on demand up
// to `maxThreads`, reused when idle; connections wait in FIFO order when
// every thread is busy (the server caps how many may wait).

import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type Address,
  type RequestContext,
  type RequestOutcome,
  type RequestTask,
  toAddress,
} from '@iomodels/contract';
import { entryFile } from './entry-file.js';
import {
  type DispatcherMessage,
  fromWireError,
  type RunnerMessage,
  type WireHandlerReference,
} from './wire.js';

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
  onError(error: unknown, clientAddress: Address): void;
}

let nextId = 1;

/** One connection, from queued to finished: the `RequestTask` the server tracks. */
class ThreadJob implements RequestTask {
  readonly id = nextId++;
  readonly done: Promise<RequestOutcome>;
  thread: PoolThread | undefined;
  #resolve!: (outcome: RequestOutcome) => void;
  #finished = false;

  constructor(
    readonly socket: Socket,
    readonly fd: number,
    readonly context: RequestContext,
    readonly pool: ThreadPool,
  ) {
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  get finished(): boolean {
    return this.#finished;
  }

  closeWrite(): void {
    if (this.thread === undefined) {
      // still queued: never served; let it go
      this.pool.dequeue(this);
      this.finish('failed');
      return;
    }
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  /**
   * A thread may still be inside read(2) on this descriptor: closing it
   * would not wake the thread, and the number could be reused by the next
   * connection under its feet. So the descriptor stays open until the
   * thread lets go; FIN has been sent; the sequence reports it abandoned.
   */
  abort(): void {
    if (this.thread === undefined) this.closeWrite();
  }

  /** Releases the descriptor (only once no thread can touch it) and settles. */
  finish(outcome: RequestOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.thread = undefined;
    this.socket.destroy();
    this.#resolve(outcome);
  }
}

/** One worker thread and the job it is serving, if any. */
class PoolThread {
  readonly worker: Worker;
  readonly abortFlag = new Int32Array(new SharedArrayBuffer(4));
  job: ThreadJob | undefined;
  ready = false;

  constructor(pool: ThreadPool, handler: WireHandlerReference) {
    this.worker = new Worker(entryFile('threading-worker'), {
      workerData: { handler, abortFlag: this.abortFlag },
    });
    this.worker.on('message', (message: RunnerMessage) => pool.onMessage(this, message));
    this.worker.on('error', (error) => pool.onThreadError(this, error));
    this.worker.on('exit', () => pool.onThreadExit(this));
  }
}

export class ThreadPool {
  readonly #options: ThreadPoolOptions;
  readonly #threads = new Set<PoolThread>();
  readonly #idle: PoolThread[] = [];
  readonly #queue: ThreadJob[] = [];
  readonly #startConcurrency: number;
  #starting = 0;
  #busy = 0;
  /** Threads that died before they were ready, in a row: stop keeping spares if it keeps happening. */
  #failedStarts = 0;
  #stopping = false;
  #firstReady: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: ThreadPoolOptions) {
    this.#options = options;
    this.#startConcurrency = Math.max(1, options.startConcurrency ?? availableParallelism());
  }

  /** Threads alive, busy, and connections waiting for one. */
  counts(): { threads: number; busy: number; queued: number } {
    return { threads: this.#threads.size, busy: this.#busy, queued: this.#queue.length };
  }

  /**
   * Starts one thread and waits until it loaded the handler (a bad handler
   * fails here); the spare threads then start behind it.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstReady = { resolve, reject };
      this.#spawn().worker.ref(); // nothing else keeps the process alive yet
    });
  }

  /** Queues a connection; an idle thread takes it at once, or one is started for it. */
  submit(socket: Socket, fd: number, context: RequestContext): RequestTask {
    const job = new ThreadJob(socket, fd, context, this);
    context.signal.addEventListener('abort', () => this.#signal(job), { once: true });
    const idle = this.#idle.pop();
    if (idle) this.#run(idle, job);
    else this.#queue.push(job);
    this.#grow();
    return job;
  }

  dequeue(job: ThreadJob): void {
    const index = this.#queue.indexOf(job);
    if (index !== -1) this.#queue.splice(index, 1);
  }

  /**
   * Ends the pool: idle threads are terminated and awaited. A thread still
   * blocked in read(2) cannot be stopped from JavaScript; it is asked to
   * terminate (it will as soon as its read returns) and unreferenced.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exits: Promise<unknown>[] = [];
    for (const thread of this.#threads) {
      if (thread.job) {
        thread.worker.unref();
        void thread.worker.terminate().catch(() => {});
      } else {
        exits.push(thread.worker.terminate().catch(() => {}));
      }
    }
    await Promise.all(exits);
  }

  onMessage(thread: PoolThread, message: RunnerMessage): void {
    switch (message.type) {
      case 'ready':
        thread.ready = true;
        this.#starting--;
        this.#failedStarts = 0;
        this.#firstReady?.resolve();
        this.#firstReady = undefined;
        this.#next(thread);
        this.#grow();
        return;
      case 'fatal': {
        const error = fromWireError(message.error);
        if (this.#firstReady) {
          this.#failStart(error);
        } else {
          this.#options.onError(error, { host: '', port: 0, family: 'IPv4' });
        }
        void thread.worker.terminate();
        return;
      }
      case 'error': {
        const job = thread.job;
        if (job?.id === message.id) {
          this.#options.onError(fromWireError(message.error), job.context.clientAddress);
        }
        return;
      }
      case 'shutdown': {
        const job = thread.job;
        if (job?.id === message.id && !job.socket.destroyed) job.socket.end();
        return;
      }
      case 'done': {
        const job = thread.job;
        thread.job = undefined;
        this.#busy--;
        Atomics.store(thread.abortFlag, 0, 0);
        if (job?.id === message.id) job.finish(message.outcome);
        this.#next(thread);
        return;
      }
    }
  }

  onThreadError(thread: PoolThread, error: Error): void {
    const job = thread.job;
    const address = job?.context.clientAddress ?? { host: '', port: 0, family: 'IPv4' as const };
    this.#options.onError(error, address);
    if (this.#firstReady && !thread.ready) this.#failStart(error);
  }

  /** The first thread could not load the handler: the pool never starts another. */
  #failStart(error: Error): void {
    this.#stopping = true;
    this.#firstReady?.reject(error);
    this.#firstReady = undefined;
  }

  onThreadExit(thread: PoolThread): void {
    this.#threads.delete(thread);
    if (!thread.ready) {
      this.#starting--;
      this.#failedStarts++;
    }
    const idleIndex = this.#idle.indexOf(thread);
    if (idleIndex !== -1) this.#idle.splice(idleIndex, 1);
    // The thread is gone, so nothing reads the descriptor any more: safe to close.
    if (thread.job) this.#busy--;
    thread.job?.finish('failed');
    thread.job = undefined;
    this.#grow();
  }

  /**
   * Starts threads for the waiting connections and to keep `spareThreads`
   * idle ones, up to `maxThreads`. A Node thread is a V8 isolate: it takes
   * milliseconds of CPU to start, and threads started together share the
   * CPU, so none of them is ready until nearly all are. At most
   * `startConcurrency` (the CPUs this process may use), or as many as are
   * busy, start at once; each one that becomes ready takes a waiting
   * connection and starts the next.
   */
  #grow(): void {
    if (this.#stopping || this.#firstReady) return;
    const { maxThreads, spareThreads } = this.#options;
    // A thread that keeps dying before it is ready (e.g. out of memory):
    // start threads only for connections that wait, never for spares.
    const spare = this.#failedStarts >= 3 ? 0 : spareThreads;
    // Busy threads compete for the same CPUs: as many starting as serving
    // keeps thread start-up at about half the CPU while load runs.
    const concurrency = Math.max(this.#startConcurrency, this.#busy);
    while (
      this.#threads.size < maxThreads &&
      this.#starting < concurrency &&
      this.#starting < this.#queue.length + Math.max(0, spare - this.#idle.length)
    ) {
      this.#spawn();
    }
  }

  #spawn(): PoolThread {
    this.#starting++;
    const thread = new PoolThread(this, this.#options.handler);
    thread.worker.unref(); // a thread that is not serving keeps nothing alive
    this.#threads.add(thread);
    return thread;
  }

  /** Gives `thread` the next queued job, or parks it idle (unreferenced). */
  #next(thread: PoolThread): void {
    if (this.#stopping) {
      void thread.worker.terminate();
      return;
    }
    const job = this.#queue.shift();
    if (job) {
      this.#run(thread, job);
    } else {
      thread.worker.unref();
      this.#idle.push(thread);
    }
  }

  #run(thread: PoolThread, job: ThreadJob): void {
    thread.job = job;
    job.thread = thread;
    this.#busy++;
    if (this.#options.daemonThreads) thread.worker.unref();
    else thread.worker.ref();
    const { context } = job;
    const message: DispatcherMessage = {
      type: 'serve',
      id: job.id,
      fd: job.fd,
      remote: context.clientAddress,
      local: localAddress(job.socket),
      server: context.server,
    };
    thread.worker.postMessage(message);
    if (context.signal.aborted) this.#signal(job);
  }

  /** The server is closing: fire the handler's signal in its thread. */
  #signal(job: ThreadJob): void {
    const thread = job.thread;
    if (!thread) return;
    Atomics.store(thread.abortFlag, 0, job.id);
    thread.worker.postMessage({ type: 'abort', id: job.id } satisfies DispatcherMessage);
  }
}

function localAddress(socket: Socket): Address {
  return toAddress(socket.localAddress, socket.localPort, socket.localFamily);
}
