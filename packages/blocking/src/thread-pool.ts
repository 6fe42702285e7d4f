// The pool behind ThreadingTCPServer: worker threads started on demand up
// to `maxThreads`, reused when idle; connections wait in FIFO order when
// every thread is busy (the server caps how many may wait).

import type { Socket } from 'node:net';
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
  #starting = 0;
  #stopping = false;
  #firstReady: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: ThreadPoolOptions) {
    this.#options = options;
  }

  /** Threads alive, busy, and connections waiting for one. */
  counts(): { threads: number; busy: number; queued: number } {
    const busy = [...this.#threads].filter((thread) => thread.job).length;
    return { threads: this.#threads.size, busy, queued: this.#queue.length };
  }

  /** Starts one thread and waits until it loaded the handler (a bad handler fails here). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstReady = { resolve, reject };
      this.#spawn();
    });
  }

  /** Queues a connection; an idle thread takes it at once, or a new one is started. */
  submit(socket: Socket, fd: number, context: RequestContext): RequestTask {
    const job = new ThreadJob(socket, fd, context, this);
    context.signal.addEventListener('abort', () => this.#signal(job), { once: true });
    const idle = this.#idle.pop();
    if (idle) {
      this.#run(idle, job);
    } else {
      this.#queue.push(job);
      if (this.#threads.size < this.#options.maxThreads && this.#starting < this.#queue.length) {
        this.#spawn();
      }
    }
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
        this.#firstReady?.resolve();
        this.#firstReady = undefined;
        this.#next(thread);
        return;
      case 'fatal': {
        const error = fromWireError(message.error);
        if (this.#firstReady) {
          this.#firstReady.reject(error);
          this.#firstReady = undefined;
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
    if (this.#firstReady && !thread.ready) {
      this.#firstReady.reject(error);
      this.#firstReady = undefined;
    }
  }

  onThreadExit(thread: PoolThread): void {
    this.#threads.delete(thread);
    if (!thread.ready) this.#starting--;
    const idleIndex = this.#idle.indexOf(thread);
    if (idleIndex !== -1) this.#idle.splice(idleIndex, 1);
    // The thread is gone, so nothing reads the descriptor any more: safe to close.
    thread.job?.finish('failed');
    thread.job = undefined;
    if (!this.#stopping && this.#queue.length > this.#starting) this.#spawn();
  }

  #spawn(): void {
    this.#starting++;
    const thread = new PoolThread(this, this.#options.handler);
    this.#threads.add(thread);
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
