// The pool behind ForkingTCPServer: the pool core (runner-pool.ts) with
// child processes as runners. A child gets its own copy of the descriptor
// with each connection; a child, unlike a thread, can always be killed, and
// one that dies is replaced.
import { type ChildProcess, fork } from 'node:child_process';
import type { ErrorSink } from '@iomodels/contract';
import { sendSocket } from '@iomodels/fd';
import { FileAbortFlag } from './abort-flag.js';
import { reapWithServer } from './child-reaper.js';
import { entryFile } from './entry-file.js';
import { type PoolJob, PoolRunner, type RunnerEvents, RunnerPool } from './runner-pool.js';
import type { RunnerBoot, RunnerMessage, WireHandlerReference } from './wire.js';

export interface ProcessPoolOptions {
  handler: WireHandlerReference;
  maxChildren: number;
  spareChildren: number;
  onError: ErrorSink;
  /** The server's `idleTimeout` in ms (0/absent: none). */
  idleTimeout?: number;
  /** Ms an idle child beyond `spareChildren` lives before it is stopped (0/absent: never). */
  childIdleTimeout?: number;
  /** Children handle datagrams (a UDP server's pool), not connections. */
  datagram?: boolean;
  /** Node options for each child (default none: a child does not inherit the server's). */
  execArgv?: readonly string[];
}

/** How long an idle child may take to leave after its channel closed before it is killed. */
const CHILD_EXIT_GRACE = 2_000;

/** One child process. */
class PoolChild extends PoolRunner {
  readonly process: ChildProcess;
  /** Where this server writes the id of a job whose signal fired or that timed out, and reads the child's activity (see abort-flag.ts). */
  readonly #abortFlag = new FileAbortFlag();
  exited = false;

  constructor(events: RunnerEvents<PoolChild>, boot: RunnerBoot, execArgv: readonly string[]) {
    super();
    this.process = fork(entryFile('forking-child'), [JSON.stringify(boot)], {
      // Never the server's own: a test runner's loaders, --inspect ports.
      execArgv: [...execArgv],
      // Never 'inherit': libuv clears O_NONBLOCK on a spawned child's fds
      // 0-2, and an inherited descriptor shares its open file (and that
      // flag) with the server's own. With inherited stdout/stderr, the
      // server's stderr turned blocking the moment the first child
      // started; each reset a handler met was logged there (~800 bytes),
      // and when whoever held the other end stopped reading, the server's
      // one thread blocked in write(2) — no accept, no dispatch, for good
      // (about 80 resets in, as reported). Threads share the server's
      // stdio without a spawn, which is why threading never stopped. So a
      // child writes to pipes of its own, and the server relays them.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc', this.#abortFlag.fd],
      serialization: 'json',
    });
    if (this.process.pid === undefined) this.#abortFlag.close(); // never started: no 'exit' to wait for
    relayOutput(this.process);
    reapWithServer(this.process);
    this.process.on('message', (message: RunnerMessage) => events.onMessage(this, message));
    // spawn failures and channel errors; 'exit' follows where the process existed
    this.process.on('error', (error) => events.onError(this, error));
    this.process.on('exit', (code, signal) => {
      this.exited = true;
      this.#abortFlag.close();
      events.onExit(this, code, signal);
    });
  }

  get name(): string {
    return `handler process ${this.process.pid}`;
  }

  serve(job: PoolJob): void {
    const { socket, context } = job;
    const failed = (error: Error | null) => {
      if (error && this.job === job) {
        context.onError(error, context.clientAddress);
        this.process.kill('SIGKILL'); // its exit settles the job
      }
    };
    if (job.datagram) this.process.send(this.datagramMessage(job), undefined, undefined, failed);
    // The child learns its own descriptor number from the handle.
    else sendSocket(this.process, this.serveMessage(job, -1), socket!, failed);
  }

  /**
   * A handler busy in blocking calls never returns to its child's event
   * loop: the flag is read at its reads and writes (at most every 10 ms),
   * when a read that waited that long returns and at the end of stream; the
   * message reaches a handler that awaits something else.
   */
  signal(job: PoolJob): void {
    this.#abortFlag.raise(job.id);
    if (this.process.connected) {
      this.process.send(this.abortMessage(job), undefined, undefined, () => {});
    }
  }

  activity(): number {
    return this.#abortFlag.activity();
  }

  timeOut(job: PoolJob): void {
    this.#abortFlag.timeOut(job.id);
  }

  /** A process, unlike a thread, can always be stopped: kill it, reset the connection. */
  interrupt(job: PoolJob): void {
    job.killed = true;
    this.process.kill('SIGKILL');
  }

  retire(): void {
    if (this.process.connected) this.process.disconnect();
  }

  /** An idle child leaves when its channel closes; a busy one, or a laggard, is killed. */
  end(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.process.once('exit', () => resolve());
      if (this.job || !this.process.connected) {
        this.process.kill('SIGKILL');
        return;
      }
      this.process.disconnect();
      setTimeout(() => this.process.kill('SIGKILL'), CHILD_EXIT_GRACE).unref();
    });
  }

  override deathError(code: number | null, signal: NodeJS.Signals | null): Error {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    return new Error(`${this.name} died (${how}) while serving`);
  }
}

/**
 * Copies a child's stdout/stderr to the server's, through the server's
 * event loop, as Node does for a worker thread's: when nobody reads the
 * server's output it is buffered, never waited for.
 */
function relayOutput(child: ChildProcess): void {
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
}

export class ProcessPool extends RunnerPool<PoolChild> {
  readonly #boot: RunnerBoot;
  readonly #execArgv: readonly string[];

  constructor(options: ProcessPoolOptions) {
    const { maxChildren: max, spareChildren: spare, onError, idleTimeout, handler } = options;
    super({ max, spare, onError, idleTimeout, retireIdleAfter: options.childIdleTimeout });
    this.#boot = { handler, idleTimeout, ...(options.datagram && { datagram: true }) };
    this.#execArgv = options.execArgv ?? [];
  }

  /** The pids of the live children (for tests and operators). */
  pids(): number[] {
    return [...this.runners].map((child) => child.process.pid ?? -1);
  }

  protected createRunner(): PoolChild {
    return new PoolChild(this, this.#boot, this.#execArgv);
  }
}
