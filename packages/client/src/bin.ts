#!/usr/bin/env node
// Thin bin: the CLI lives in run-client-cli.ts.
import { runClientCli } from './run-client-cli.js';

// Piped or signalled from outside, Ctrl-C is the process's SIGINT (on a TTY
// readline reports it itself): the dialogue ends with exit code 130.
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort());
const code = await runClientCli(process.argv.slice(2), {
  input: process.stdin,
  output: process.stdout,
  error: process.stderr,
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  signal: interrupted.signal,
});
process.exit(code);
