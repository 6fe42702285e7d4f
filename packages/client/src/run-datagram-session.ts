// The CLI's dialogue over UDP (`--connect udp:HOST:PORT`): the seed's loop
// with one datagram per input line and one reply datagram per request. No
// connection: the call starts with an empty datagram, which the 10086 menu
// answers with its greeting, and `exit` is sent without waiting for a reply.
import readline from 'node:readline';
import { ConnectionError, ConnectionTimeoutError } from '@iomodels/contract';
import type { DatagramClient } from './datagram-client.js';
import type { ClientIo } from './run-client-cli.js';

/** What the session needs from the CLI: the codes it ends with and how it prints. */
export interface DatagramSessionCodes {
  readonly ok: number;
  readonly connection: number;
  readonly noReply: number;
  readonly interrupted: number;
}

const PROMPT = 'please input:';

/**
 * Runs the dialogue; resolves with the exit code: no reply after every retry
 * → `noReply` (as a TCP reply timeout), a refused port (ICMP unreachable) →
 * `connection`, Ctrl-C → `interrupted`.
 */
export async function runDatagramSession(
  client: DatagramClient,
  io: ClientIo,
  name: string,
  codes: DatagramSessionCodes,
): Promise<number> {
  const decoder = new TextDecoder();
  const rl = readline.createInterface({
    input: io.input,
    output: io.isTTY ? io.output : undefined,
    terminal: io.isTTY,
    historySize: io.isTTY ? 100 : 0,
    prompt: PROMPT,
  });
  let interrupted!: () => void;
  const interruption = new Promise<'interrupted'>((resolve) => {
    interrupted = () => resolve('interrupted');
  });
  rl.on('SIGINT', interrupted);
  io.signal?.addEventListener('abort', interrupted, { once: true });
  if (io.signal?.aborted) interrupted();
  const ask = async (message: string): Promise<number | undefined> => {
    const reply = await Promise.race([client.request(message), interruption]);
    if (reply === 'interrupted') return codes.interrupted;
    io.output.write(`receive: ${decoder.decode(reply)}\n`);
    return undefined;
  };
  const lines = rl[Symbol.asyncIterator]();
  try {
    const greeting = await ask('');
    if (greeting !== undefined) return greeting;
    for (;;) {
      if (io.isTTY) rl.prompt();
      else io.output.write(PROMPT);
      const next = await Promise.race([lines.next(), interruption]);
      if (next === 'interrupted') return codes.interrupted;
      if (next.done) return codes.ok;
      const line = next.value;
      if (!io.isTTY) io.output.write(`${line}\n`);
      // An empty line would be an empty datagram, the call starting again: send nothing.
      if (line === '') continue;
      if (line === 'exit') {
        await client.send(line);
        return codes.ok;
      }
      const code = await ask(line);
      if (code !== undefined) return code;
    }
  } catch (error) {
    if (ConnectionTimeoutError.isInstance(error)) {
      io.error.write(`${name}: ${error.message}\n`);
      return codes.noReply;
    }
    if (!ConnectionError.isInstance(error)) throw error;
    io.error.write(`${name}: ${error.message}\n`);
    return codes.connection;
  } finally {
    io.signal?.removeEventListener('abort', interrupted);
    rl.close();
    await client.close();
  }
}
