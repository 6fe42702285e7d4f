// Runs a built seed program as a child process and drives it over TCP the
// way the seed's reader would. Every wait is for a line or a byte, bounded
// by a generous timeout: nothing here depends on how fast the machine is.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect } from 'vitest';

/** Long enough for a cold worker thread or child process on a loaded 2-core machine. */
export const PATIENCE = 20_000;

export const GREETING = '欢迎致电 10086,请输入1xxx,0转人工服务.';
export const OPERATOR = '通过可能会被录音.balabala一大推';
export const RETRY = '请重新输入.';

/** The built file of a program. */
export function distFile(file: string): string {
  return fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
}

/** Output collected as it arrives, with waits for what is still to come. */
class Output {
  text = '';
  #waiters = new Set<() => void>();

  append(chunk: string): void {
    this.text += chunk;
    for (const wake of this.#waiters) wake();
  }

  /** Complete lines so far. */
  lines(): string[] {
    return this.text.split('\n').slice(0, -1);
  }

  /** Resolves with the result of `test` once it is not undefined; rejects after PATIENCE. */
  until<T>(what: string, test: (output: Output) => T | undefined): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = test(this);
        if (found === undefined) return;
        cleanup();
        resolve(found);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; output so far:\n${this.text}`));
      }, PATIENCE);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Waits until `count` complete lines equal `line`. */
  untilLines(line: string, count = 1): Promise<true> {
    return this.until(`${count} × "${line}"`, (o) =>
      o.lines().filter((l) => l === line).length >= count ? true : undefined,
    );
  }
}

/** A running program: its output, its exit, and a kill for cleanup. */
export interface Program {
  child: ChildProcess;
  stdout: Output;
  stderr: Output;
  exited: Promise<number | null>;
  /** The port from its `listening on HOST:PORT` line on stderr. */
  port(): Promise<number>;
  kill(): void;
}

/** Starts `node dist/<file> ...args` on port 0 (`SEED_PORT=0`, unless args say otherwise). */
export function startProgram(file: string, args: string[] = [], input?: string): Program {
  const child = spawn(process.execPath, [distFile(file), ...args], {
    env: { ...process.env, SEED_PORT: '0' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout = new Output();
  const stderr = new Output();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => stdout.append(d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.append(d));
  child.stdin!.on('error', () => {});
  if (input !== undefined) child.stdin!.end(input);
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    child,
    stdout,
    stderr,
    exited,
    port: () =>
      stderr.until('the "listening on" line', (o) => {
        const match = /listening on [^\s]+:(\d+)\n/.exec(o.text);
        return match ? Number(match[1]) : undefined;
      }),
    // SIGKILL: a thread blocked in read(2) would keep a gentler exit waiting.
    kill: () => child.kill('SIGKILL'),
  };
}

/** `startProgram` for one test file: what it starts is killed after each test. */
export function programStarter(): typeof startProgram {
  const running: Program[] = [];
  afterEach(() => {
    for (const program of running.splice(0)) program.kill();
  });
  return (...args) => {
    const program = startProgram(...args);
    running.push(program);
    return program;
  };
}

/** A raw TCP client: what arrives is queued; `next()` takes the next chunk. */
export class Caller {
  readonly socket: net.Socket;
  /** This end's port: what the server prints as the client address. */
  readonly port: number;
  readonly received = new Output();
  readonly ended: Promise<void>;
  #taken = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.port = socket.localPort!;
    socket.setEncoding('utf8').on('data', (d: string) => this.received.append(d));
    this.ended = new Promise((resolve) => socket.on('end', resolve));
  }

  static async dial(port: number): Promise<Caller> {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    return new Caller(socket);
  }

  /** Waits for exactly `expected` as the next text from the server. */
  async expect(expected: string): Promise<string> {
    const from = this.#taken;
    const got = await this.received.until(`"${expected}"`, (o) =>
      o.text.length - from >= expected.length
        ? o.text.slice(from, from + expected.length)
        : undefined,
    );
    this.#taken += expected.length;
    return got;
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Everything received so far that `expect` has not taken. */
  rest(): string {
    return this.received.text.slice(this.#taken);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * The seed's 10086 dialogue, as its client would have it: the greeting,
 * `0` → the operator line, anything else → "please retry", `exit` → the
 * server closes the connection.
 */
export async function dialogue(caller: Caller, greeted = false): Promise<string[]> {
  const heard: string[] = [];
  if (!greeted) heard.push(await caller.expect(GREETING));
  caller.send('0');
  heard.push(await caller.expect(OPERATOR));
  caller.send('1');
  heard.push(await caller.expect(RETRY));
  caller.send('exit');
  await caller.ended;
  return heard;
}

/**
 * Two callers at once: the first, greeted, stays silent (its thread sleeps
 * in read(2)) while the second runs the whole dialogue; then the first does.
 * Only a server that serves connections concurrently gets through.
 */
export async function twoCallersAtOnce(port: number): Promise<[Caller, Caller]> {
  const first = await Caller.dial(port);
  await first.expect(GREETING);
  const second = await Caller.dial(port);
  expect(await dialogue(second)).toEqual([GREETING, OPERATOR, RETRY]);
  expect(await dialogue(first, true)).toEqual([OPERATOR, RETRY]);
  return [first, second];
}
