// `iomodels-client`: the seed's client loop — receive, print, prompt, send,
// stop after `exit` — interactive on a TTY, unattended when stdin is piped.
import readline from 'node:readline';
import {
  ConnectionError,
  DEFAULT_PORT,
  EXIT_USAGE,
  formatAddress,
  parseClientEndpoint,
  parseFlags,
  toAddress,
  UsageError,
} from '@iomodels/contract';
import { type Client, type ConnectOptions, connect, DEFAULT_TIMEOUT } from './client.js';

/** Streams the CLI talks through; tests pass their own. */
export interface ClientIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  error: NodeJS.WritableStream;
  /** Interactive (history, prompt redrawing) when true. */
  isTTY: boolean;
}

const NAME = 'iomodels-client';
const PROMPT = 'please input:';
const USAGE = `usage: ${NAME} [--connect ENDPOINT | --host HOST --port PORT] [--timeout SECONDS]
  --connect  endpoint: tcp:HOST:PORT or unix:PATH
  --host     server address (default 127.0.0.1)
  --port     server port (default ${DEFAULT_PORT})
  --timeout  seconds to wait to connect and for each reply (default ${DEFAULT_TIMEOUT / 1000})`;

/** Runs the CLI; resolves with the exit code (0 done, 1 connection failed, 2 bad flags). */
export async function runClientCli(argv: readonly string[], io: ClientIo): Promise<number> {
  let options: ClientArgs;
  try {
    const parsed = parseClientArgs(argv);
    if (parsed === 'help') {
      io.output.write(`${USAGE}\n`);
      return 0;
    }
    options = parsed;
  } catch (error) {
    io.error.write(`${NAME}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  let client: Client;
  try {
    client = await connect(options);
  } catch (error) {
    const where =
      options.path === undefined
        ? formatAddress(toAddress(options.host, options.port, undefined))
        : `unix:${options.path}`;
    io.error.write(`${NAME}: cannot connect to ${where}: ${(error as Error).message}\n`);
    return 1;
  }
  return new Session(client, io, options.timeout).run();
}

/** One dialogue: a reader that prints whatever arrives, and the prompt loop. */
class Session {
  readonly #client: Client;
  readonly #io: ClientIo;
  readonly #rl: readline.Interface;
  #received = 0;
  #serverClosed = false;
  #leaving = false;
  #prompting = false;
  #waiters: Array<() => void> = [];
  readonly #replyTimeout: number;

  constructor(client: Client, io: ClientIo, replyTimeout: number) {
    this.#client = client;
    this.#replyTimeout = replyTimeout;
    this.#io = io;
    this.#rl = readline.createInterface({
      input: io.input,
      output: io.isTTY ? io.output : undefined,
      terminal: io.isTTY,
      historySize: io.isTTY ? 100 : 0,
      prompt: PROMPT,
    });
  }

  async run(): Promise<number> {
    const reading = this.#readLoop();
    const lines = this.#rl[Symbol.asyncIterator]();
    let code = 0;
    try {
      await this.#nextMessage(0);
      while (!this.#serverClosed) {
        this.#prompt();
        // Node 20's readline never settles question() at end of input; the
        // async iterator does (it ends when the interface closes).
        const next = await Promise.race([lines.next(), this.#closedByServer()]);
        this.#prompting = false;
        if (next === 'closed' || next.done) break;
        const line = next.value;
        if (!this.#io.isTTY) this.#io.output.write(`${line}\n`);
        const seen = this.#received;
        await this.#client.sendall(line);
        if (line === 'exit') break;
        await this.#nextMessage(seen);
      }
    } catch (error) {
      if (!ConnectionError.isInstance(error)) throw error;
      this.#io.error.write(`${NAME}: ${error.message}\n`);
      code = 1;
    } finally {
      this.#leaving = true;
      this.#rl.close();
      await this.#client.close();
    }
    await reading;
    return code;
  }

  /** Prints every chunk as `receive: …` until the server closes. */
  async #readLoop(): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = await this.#client.recv();
        } catch (error) {
          // A quiet server is not an error here: the prompt loop decides.
          if (ConnectionError.isInstance(error) && error.code.endsWith('TIMEOUT')) {
            if (this.#leaving) return;
            continue;
          }
          throw error;
        }
        if (chunk.length === 0) break;
        this.#print(`receive: ${decoder.decode(chunk, { stream: true })}`);
        this.#received++;
        this.#notify();
      }
      if (!this.#leaving) this.#print('server closed the connection');
    } catch (error) {
      if (!this.#leaving)
        this.#print(`connection lost: ${(error as Error).message}`, this.#io.error);
    }
    this.#serverClosed = true;
    this.#notify();
  }

  /** Waits until more than `seen` messages arrived, the server closed, or the reply timeout passed. */
  async #nextMessage(seen: number): Promise<void> {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      this.#notify();
    }, this.#replyTimeout || DEFAULT_TIMEOUT);
    while (this.#received <= seen && !this.#serverClosed && !timedOut) await this.#changed();
    clearTimeout(timer);
  }

  async #closedByServer(): Promise<'closed'> {
    while (!this.#serverClosed) await this.#changed();
    return 'closed';
  }

  #changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }

  #prompt(): void {
    this.#prompting = true;
    if (this.#io.isTTY) this.#rl.prompt();
    else this.#io.output.write(PROMPT);
  }

  /** Prints a line; on a TTY with the prompt up, above the prompt, keeping what the user typed. */
  #print(text: string, stream = this.#io.output): void {
    if (this.#io.isTTY && this.#prompting) {
      readline.clearLine(this.#io.output, 0);
      readline.cursorTo(this.#io.output, 0);
      stream.write(`${text}\n`);
      this.#rl.prompt(true);
    } else {
      stream.write(`${text}\n`);
    }
  }
}

/** What the CLI connects to: `path` (a Unix socket) or `host`/`port`. */
type ClientArgs = ConnectOptions & { timeout: number };

function parseClientArgs(argv: readonly string[]): ClientArgs | 'help' {
  const values = parseFlags(argv, ['connect', 'host', 'port', 'timeout']);
  if (values.help) return 'help' as const;
  if (values.connect !== undefined && (values.host !== undefined || values.port !== undefined)) {
    throw new UsageError('give either --connect or --host/--port, not both');
  }
  const port = Number(values.port ?? DEFAULT_PORT);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be an integer from 1 to 65535, got "${values.port}"`);
  }
  const timeout = Number(values.timeout ?? DEFAULT_TIMEOUT / 1000);
  if (!Number.isFinite(timeout) || timeout < 0) {
    throw new UsageError(`--timeout must be a number of seconds >= 0, got "${values.timeout}"`);
  }
  if (values.connect !== undefined) {
    const endpoint = parseClientEndpoint(values.connect as string);
    if (endpoint.kind === 'udp') throw new UsageError('--connect udp: is not supported yet');
    const target =
      endpoint.kind === 'unix'
        ? { path: endpoint.path }
        : { host: endpoint.host, port: endpoint.port };
    return { ...target, timeout: timeout * 1000 };
  }
  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port,
    timeout: timeout * 1000,
  };
}
