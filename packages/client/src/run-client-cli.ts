// `iomodels-client`: the seed's client loop — receive, print, prompt, send,
// stop after `exit` — interactive on a TTY, unattended when stdin is piped.
import readline from 'node:readline';
import {
  ConnectionError,
  DEFAULT_PORT,
  EXIT_USAGE,
  formatAddress,
  parseClientEndpoint,
  parseDecimalFlag,
  parseFlags,
  parseIntegerFlag,
  readPem,
  toAddress,
  UsageError,
} from '@iomodels/contract';
import { type Client, type ConnectOptions, connect, DEFAULT_TIMEOUT } from './client.js';
import {
  connectDatagram,
  type DatagramClient,
  DEFAULT_DATAGRAM_RETRIES,
} from './datagram-client.js';
import { runDatagramSession } from './run-datagram-session.js';

/** Streams the CLI talks through; tests pass their own. */
export interface ClientIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  error: NodeJS.WritableStream;
  /** Interactive (history, prompt redrawing) when true. */
  isTTY: boolean;
  /** Aborted when the process is interrupted (SIGINT): the CLI ends with {@link EXIT_INTERRUPTED}. */
  signal?: AbortSignal;
}

/** Exit codes, for scripts: 0 only after `exit` or end of input. */
export const EXIT_OK = 0;
/** The connection was refused, reset, or closed by the server before `exit`. */
export const EXIT_CONNECTION = 1;
/** No reply within `--timeout` (the code `timeout(1)` uses). */
export const EXIT_NO_REPLY = 124;
/** Ctrl-C or SIGINT: 128 + SIGINT, as a shell reports it. */
export const EXIT_INTERRUPTED = 130;

const NAME = 'iomodels-client';
const PROMPT = 'please input:';
const USAGE = `usage: ${NAME} [--connect ENDPOINT | --host HOST --port PORT] [--timeout SECONDS] [--retries N] [--tls [--ca FILE]]
  --connect  endpoint: tcp:HOST:PORT, unix:PATH, or udp:HOST:PORT (one datagram per line)
  --host     server address (default 127.0.0.1)
  --port     server port (default ${DEFAULT_PORT})
  --timeout  seconds to wait to connect and for each reply, 0 = forever (default ${DEFAULT_TIMEOUT / 1000})
  --retries  udp: only: tries after the first when no reply came, each try waiting --timeout/(N+1) (default ${DEFAULT_DATAGRAM_RETRIES})
  --tls      speak TLS, verifying the server's certificate (against --ca FILE, PEM, else the system's CAs)
exit: 0 after exit or end of input, 1 connection refused/lost, 2 bad flags, ${EXIT_NO_REPLY} no reply in time, ${EXIT_INTERRUPTED} interrupted`;

/**
 * Runs the CLI; resolves with the exit code: {@link EXIT_OK},
 * {@link EXIT_CONNECTION}, `EXIT_USAGE` (2), {@link EXIT_NO_REPLY} or
 * {@link EXIT_INTERRUPTED}. Every failure is one line on `io.error`.
 */
export async function runClientCli(argv: readonly string[], io: ClientIo): Promise<number> {
  let options: ClientArgs;
  try {
    const parsed = parseClientArgs(argv);
    if (parsed === 'help') {
      io.output.write(`${USAGE}\n`);
      return EXIT_OK;
    }
    options = parsed;
  } catch (error) {
    io.error.write(`${NAME}: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  if (options.udp) return runUdp(options, io);
  const where =
    options.path === undefined
      ? formatAddress(
          toAddress(options.host ?? '127.0.0.1', options.port ?? DEFAULT_PORT, undefined),
        )
      : `unix:${options.path}`;
  let client: Client;
  try {
    client = await connect(options);
  } catch (error) {
    // An error the mapping did not name (a TLS failure, say) already says where.
    const message = (error as Error).message;
    const line = message.startsWith('cannot connect to')
      ? message
      : `cannot connect to ${where}: ${message}`;
    io.error.write(`${NAME}: ${line}\n`);
    return EXIT_CONNECTION;
  }
  return new Session(client, io, options.timeout, where).run();
}

/** `--connect udp:…`: the same loop, one datagram per line, with retries. */
async function runUdp(options: ClientArgs, io: ClientIo): Promise<number> {
  const tries = options.retries + 1;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  let client: DatagramClient;
  try {
    client = await connectDatagram({
      host,
      port,
      // --timeout is the whole wait for a reply, as over TCP, split across the tries.
      timeout: options.timeout > 0 ? options.timeout / tries : 2 ** 31 - 1,
      retries: options.retries,
    });
  } catch (error) {
    io.error.write(`${NAME}: ${(error as Error).message}\n`);
    return EXIT_CONNECTION;
  }
  return runDatagramSession(client, io, NAME, {
    ok: EXIT_OK,
    connection: EXIT_CONNECTION,
    noReply: EXIT_NO_REPLY,
    interrupted: EXIT_INTERRUPTED,
  });
}

/** Why a dialogue ended early: its exit code and the one line that says so. */
interface Ending {
  readonly code: number;
  readonly line?: string;
}

/** One dialogue: a reader that prints whatever arrives, and the prompt loop. */
class Session {
  readonly #client: Client;
  readonly #io: ClientIo;
  readonly #rl: readline.Interface;
  readonly #replyTimeout: number;
  readonly #where: string;
  #received = 0;
  /** Set once the dialogue cannot go on: the server closed or reset, a reply timed out, Ctrl-C. */
  #ending: Ending | undefined;
  /** The user sent `exit` (or input ended): the server closing now is the normal end. */
  #leaving = false;
  #prompting = false;
  #waiters: Array<() => void> = [];

  constructor(client: Client, io: ClientIo, replyTimeout: number, where: string) {
    this.#client = client;
    this.#replyTimeout = replyTimeout;
    this.#where = where;
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
    const interrupt = () => this.#end({ code: EXIT_INTERRUPTED });
    // On a TTY readline turns Ctrl-C into its own event; piped, it is the process's SIGINT.
    this.#rl.on('SIGINT', interrupt);
    this.#io.signal?.addEventListener('abort', interrupt, { once: true });
    if (this.#io.signal?.aborted) interrupt();
    const reading = this.#readLoop();
    const lines = this.#rl[Symbol.asyncIterator]();
    try {
      await this.#nextMessage(0);
      while (this.#ending === undefined) {
        this.#prompt();
        // Node 20's readline never settles question() at end of input; the
        // async iterator does (it ends when the interface closes).
        const next = await Promise.race([lines.next(), this.#ended()]);
        this.#prompting = false;
        if (next === 'ended' || next.done) break;
        const line = next.value;
        if (!this.#io.isTTY) this.#io.output.write(`${line}\n`);
        // An empty line sends no bytes, so no reply will come: prompt again.
        if (line === '') continue;
        const seen = this.#received;
        if (line === 'exit') this.#leaving = true;
        await this.#client.sendall(line);
        if (line === 'exit') break;
        await this.#nextMessage(seen);
      }
    } catch (error) {
      if (!ConnectionError.isInstance(error)) throw error;
      this.#end({ code: EXIT_CONNECTION, line: `connection lost: ${error.message}` });
    } finally {
      this.#leaving = true;
      this.#io.signal?.removeEventListener('abort', interrupt);
      this.#rl.close();
      if (this.#ending?.code === EXIT_INTERRUPTED) this.#client.abort();
      else await this.#client.close();
    }
    await reading;
    const ending = this.#ending ?? { code: EXIT_OK };
    if (ending.line !== undefined) this.#io.error.write(`${NAME}: ${ending.line}\n`);
    return ending.code;
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
      if (!this.#leaving) {
        this.#end({ code: EXIT_CONNECTION, line: 'server closed the connection' });
      }
    } catch (error) {
      if (!this.#leaving) {
        this.#end({ code: EXIT_CONNECTION, line: `connection lost: ${(error as Error).message}` });
      }
    }
    this.#notify();
  }

  /** The first ending wins; later ones (the close that follows a timeout, say) are consequences. */
  #end(ending: Ending): void {
    this.#ending ??= ending;
    this.#notify();
  }

  /**
   * Waits until more than `seen` messages arrived or the dialogue ended; past
   * the reply timeout (none when it is 0) the dialogue ends with {@link EXIT_NO_REPLY}.
   */
  async #nextMessage(seen: number): Promise<void> {
    const timer =
      this.#replyTimeout > 0
        ? setTimeout(
            () =>
              this.#end({
                code: EXIT_NO_REPLY,
                line: `no reply from ${this.#where} within ${this.#replyTimeout / 1000} s`,
              }),
            this.#replyTimeout,
          )
        : undefined;
    while (this.#received <= seen && this.#ending === undefined) await this.#changed();
    clearTimeout(timer);
  }

  async #ended(): Promise<'ended'> {
    while (this.#ending === undefined) await this.#changed();
    return 'ended';
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

/** What the CLI connects to: `path` (a Unix socket) or `host`/`port`, in clear or over TLS, or over UDP. */
type ClientArgs = ConnectOptions & { timeout: number; udp?: boolean; retries: number };

function parseClientArgs(argv: readonly string[]): ClientArgs | 'help' {
  const values = parseFlags(argv, ['connect', 'host', 'port', 'timeout', 'ca', 'retries'], ['tls']);
  if (values.help) return 'help' as const;
  if (values.ca !== undefined && !values.tls) throw new UsageError('--ca goes with --tls');
  const ca = values.ca === undefined ? undefined : readPem('--ca', values.ca as string);
  const secure = values.tls ? { tls: ca ? { ca } : true } : {};
  if (values.connect !== undefined && (values.host !== undefined || values.port !== undefined)) {
    throw new UsageError('give either --connect or --host/--port, not both');
  }
  const port = parseIntegerFlag('--port', values.port as string | undefined, DEFAULT_PORT, {
    min: 1,
    max: 65535,
  });
  const timeout = parseDecimalFlag(
    '--timeout',
    values.timeout as string | undefined,
    DEFAULT_TIMEOUT / 1000,
  );
  const retries = parseIntegerFlag(
    '--retries',
    values.retries as string | undefined,
    DEFAULT_DATAGRAM_RETRIES,
    { min: 0, max: 100 },
  );
  if (values.connect !== undefined) {
    const endpoint = parseClientEndpoint(values.connect as string);
    if (endpoint.kind === 'udp' && values.tls)
      throw new UsageError('--tls needs a stream, not udp:');
    const target =
      endpoint.kind === 'unix'
        ? { path: endpoint.path }
        : { host: endpoint.host, port: endpoint.port };
    if (endpoint.kind !== 'udp' && values.retries !== undefined) {
      throw new UsageError('--retries goes with --connect udp:');
    }
    const udp = endpoint.kind === 'udp' ? { udp: true } : {};
    return { ...target, ...udp, timeout: timeout * 1000, retries, ...secure };
  }
  if (values.retries !== undefined) throw new UsageError('--retries goes with --connect udp:');
  return {
    host: (values.host as string | undefined) ?? '127.0.0.1',
    port,
    timeout: timeout * 1000,
    retries,
    ...secure,
  };
}
