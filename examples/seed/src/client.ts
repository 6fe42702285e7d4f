// The seed's client, line by line: connect, settimeout(5), then recv →
// print 'receive:' → raw_input('please input:') → sendall, until `exit`.
// `npm run seed -- client` (start a server first)
import { createInterface } from 'node:readline';
import { connect } from '@iomodels/client';
import { seedPort } from './seed-program.js';

const decoder = new TextDecoder();
// Python's raw_input: the prompt goes to stdout without a newline, one line
// comes back. Lines are read through one iterator so that piped input is
// buffered, not lost between prompts.
const stdin = createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();

async function rawInput(prompt: string): Promise<string> {
  process.stdout.write(prompt);
  const line = await stdin.next();
  if (line.done) {
    // Python raises EOFError here, which ends the program with a traceback.
    console.error('EOFError: EOF when reading a line');
    process.exit(1);
  }
  return line.value;
}

const ip_port = { host: '127.0.0.1', port: seedPort(8009) };
// socket() + connect() + settimeout(5) in one call: the SDK's timeout covers
// the connect and each recv, 5 s as in the seed.
const sk = await connect({ ...ip_port, timeout: 5_000 });
while (true) {
  const data = decoder.decode(await sk.recv(1024));
  console.log('receive:', data);
  const inp = await rawInput('please input:');
  await sk.sendall(inp);
  if (inp === 'exit') break;
}
await sk.close();
// Python ends here; Node would wait on stdin, which the line reader still holds open.
process.exit(0);
