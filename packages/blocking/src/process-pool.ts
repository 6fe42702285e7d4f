// The pool behind ForkingTCPServer: child processes started on demand up to
// `maxChildren`, a few spares kept warm, one connection per child at a
// time; a child that dies is replaced. Connections wait in FIFO order when
// every child is busy (the server caps how many may wait).
import { type ChildProcess, fork } from 'node:child_process';
import type { Socket } from 'node:net';
import { availableParallelism } from 'node:os';
import {
  type Address,
  type RequestContext,
  type RequestOutcome,
  type RequestTask,
  toAddress,
} from '@iomodels/contract';
import { sendSocket } from '@iomodels/fd';
import { entryFile } from './entry-file.js';
import {
  type DispatcherMessage,
  fromWireError,
  type RunnerBoot,
  type RunnerMessage,
  type WireHandlerReference,
} from './wire.js';

export interface ProcessPoolOptions {
  handler: WireHandlerReference;
  maxChildren: number;
  spareChildren: number;
  onError(error: unknown, clientAddress: Address): void;
}

/** How long an idle child may take to leave after its channel closed before it is killed. */
const CHILD_EXIT_GRACE = 2_000;

let nextId = 1;

/** One connection, from queued to finished: the `RequestTask` the server tracks. */
class ForkJob implements RequestTask {
  readonly id = nextId++;
  readonly done: Promise<RequestOutcome>;
  child: PoolChild | undefined;
  aborted = false;
  #resolve!: (outcome: RequestOutcome) => void;
  #finished = false;

  constructor(
    readonly socket: Socket,
    readonly context: RequestContext,
    readonly pool: ProcessPool,
  ) {
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  closeWrite(): void {
    if (this.child === undefined) {
      this.pool.dequeue(this);
      this.finish('failed');
      return;
    }
    // The parent's copy of the descriptor: FIN reaches the peer, and a
    // well-behaved peer's close wakes the child's read.
    if (!this.socket.destroyed && !this.socket.writableEnded) this.socket.end();
  }

  /** A process, unlike a thread, can always be stopped: kill it, reset the connection. */
  abort(): void {
    if (this.child === undefined) {
      this.closeWrite();
      return;
    }
    this.aborted = true;
    this.child.process.kill('SIGKILL');
  }

  finish(outcome: RequestOutcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.child = undefined;
    if (this.aborted) this.socket.resetAndDestroy();
    else this.socket.destroy();
    this.#resolve(outcome);
  }
}

/** One child process and the job it is serving, if any. */
class PoolChild {
  readonly process: ChildProcess;
  job: ForkJob | undefined;
  ready = false;
  exited = false;

  constructor(pool: ProcessPool, handler: WireHandlerReference) {
    const boot: RunnerBoot = { handler };
    this.process = fork(entryFile('forking-child'), [JSON.stringify(boot)], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.process.on('message', (message: RunnerMessage) => pool.onMessage(this, message));
    this.process.on('error', (error) => pool.onChildError(this, error));
    this.process.on('exit', (code, signal) => pool.onChildExit(this, code, signal));
  }
}

/** Every live pool's children, killed if the parent exits without closing its servers. */
const allChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function trackChild(child: ChildProcess): void {
  allChildren.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const orphan of allChildren) orphan.kill('SIGKILL');
    });
  }
}

export class ProcessPool {
  readonly #options: ProcessPoolOptions;
  readonly #children = new Set<PoolChild>();
  readonly #idle: PoolChild[] = [];
  readonly #queue: ForkJob[] = [];
  #starting = 0;
  #busy = 0;
  readonly #startConcurrency = Math.max(1, availableParallelism());
  #stopping = false;
  #firstReady: { resolve(): void; reject(error: Error): void } | undefined;

  constructor(options: ProcessPoolOptions) {
    this.#options = options;
  }

  /** Children alive, busy, and connections waiting for one. */
  counts(): { children: number; busy: number; queued: number } {
    return { children: this.#children.size, busy: this.#busy, queued: this.#queue.length };
  }

  /** The pids of the live children (for tests and operators). */
  pids(): number[] {
    return [...this.#children].map((child) => child.process.pid ?? -1);
  }

  /** Starts a child and waits until it loaded the handler; the spares start behind it. */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#firstReady = { resolve, reject };
      this.#fork(); // the spares start once it is ready
    });
  }

  submit(socket: Socket, context: RequestContext): RequestTask {
    const job = new ForkJob(socket, context, this);
    const idle = this.#idle.pop();
    if (idle) this.#run(idle, job);
    else this.#queue.push(job);
    this.#replenish();
    return job;
  }

  dequeue(job: ForkJob): void {
    const index = this.#queue.indexOf(job);
    if (index !== -1) this.#queue.splice(index, 1);
  }

  /** Ends every child: idle ones leave when their channel closes; the rest, and laggards, are killed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const exits: Promise<void>[] = [];
    for (const child of this.#children) {
      if (child.exited) continue;
      exits.push(
        new Promise<void>((resolve) => {
          child.process.once('exit', () => resolve());
          if (child.job || !child.process.connected) {
            child.process.kill('SIGKILL');
            return;
          }
          child.process.disconnect();
          setTimeout(() => child.process.kill('SIGKILL'), CHILD_EXIT_GRACE).unref();
        }),
      );
    }
    await Promise.all(exits);
  }

  onMessage(child: PoolChild, message: RunnerMessage): void {
    switch (message.type) {
      case 'ready':
        child.ready = true;
        this.#starting--;
        this.#firstReady?.resolve();
        this.#firstReady = undefined;
        this.#next(child);
        this.#replenish();
        return;
      case 'fatal': {
        const error = fromWireError(message.error);
        if (this.#firstReady) {
          this.#firstReady.reject(error);
          this.#firstReady = undefined;
          this.#stopping = true;
          void this.stop();
        } else {
          this.#options.onError(error, { host: '', port: 0, family: 'IPv4' });
        }
        return;
      }
      case 'error': {
        const job = child.job;
        if (job?.id === message.id) {
          this.#options.onError(fromWireError(message.error), job.context.clientAddress);
        }
        return;
      }
      case 'shutdown': {
        const job = child.job;
        if (job?.id === message.id && !job.socket.destroyed) job.socket.end();
        return;
      }
      case 'done': {
        const job = child.job;
        child.job = undefined;
        if (job) this.#busy--;
        if (job?.id === message.id) job.finish(message.outcome);
        this.#next(child);
        return;
      }
    }
  }

  onChildError(child: PoolChild, error: Error): void {
    // spawn failures and channel errors; 'exit' follows where the process existed
    this.#options.onError(error, child.job?.context.clientAddress ?? noAddress);
  }

  onChildExit(child: PoolChild, code: number | null, signal: NodeJS.Signals | null): void {
    child.exited = true;
    allChildren.delete(child.process);
    this.#children.delete(child);
    if (!child.ready) this.#starting--;
    if (!child.ready && this.#firstReady) {
      // the first child died before it loaded the handler: the pool does not start
      this.#firstReady.reject(
        new Error(
          `handler process ${child.process.pid} exited (${signal ?? code}) before it was ready`,
        ),
      );
      this.#firstReady = undefined;
      this.#stopping = true;
    }
    const idleIndex = this.#idle.indexOf(child);
    if (idleIndex !== -1) this.#idle.splice(idleIndex, 1);
    const job = child.job;
    child.job = undefined;
    if (job) {
      this.#busy--;
      if (!job.aborted) {
        const how = signal ? `signal ${signal}` : `code ${code}`;
        this.#options.onError(
          new Error(`handler process ${child.process.pid} died (${how}) while serving`),
          job.context.clientAddress,
        );
      }
      job.finish('failed');
    }
    if (!this.#stopping) this.#replenish();
  }

  /**
   * Keeps `spareChildren` idle or starting, and one starting child per
   * waiting connection. A Node child takes tens of milliseconds of CPU to
   * start, and children started together share the CPU, so none is ready
   * until nearly all are: at most as many start at once as there are CPUs,
   * or as children are busy (they compete for the same CPUs); each one
   * that becomes ready takes a waiting connection and starts the next.
   */
  #replenish(): void {
    if (this.#stopping || this.#firstReady) return;
    const { maxChildren, spareChildren } = this.#options;
    const concurrency = Math.max(this.#startConcurrency, this.#busy);
    while (
      this.#children.size < maxChildren &&
      this.#starting < concurrency &&
      (this.#idle.length + this.#starting < spareChildren || this.#starting < this.#queue.length)
    ) {
      this.#fork();
    }
  }

  #fork(): void {
    this.#starting++;
    const child = new PoolChild(this, this.#options.handler);
    trackChild(child.process);
    this.#children.add(child);
  }

  #next(child: PoolChild): void {
    if (this.#stopping) {
      if (child.process.connected) child.process.disconnect();
      return;
    }
    const job = this.#queue.shift();
    if (job) this.#run(child, job);
    else this.#idle.push(child);
  }

  #run(child: PoolChild, job: ForkJob): void {
    child.job = job;
    job.child = child;
    this.#busy++;
    const { context, socket } = job;
    const message: DispatcherMessage = {
      type: 'serve',
      id: job.id,
      fd: -1, // the child learns its own number from the handle
      remote: context.clientAddress,
      local: toAddress(socket.localAddress, socket.localPort, socket.localFamily),
      server: context.server,
    };
    sendSocket(child.process, message, socket, (error) => {
      if (error && child.job === job) {
        this.#options.onError(error, context.clientAddress);
        child.process.kill('SIGKILL'); // its exit settles the job
      }
    });
  }
}

const noAddress: Address = { host: '', port: 0, family: 'IPv4' };
