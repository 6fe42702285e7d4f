#!/usr/bin/env node
// Thin bin: the CLI lives in run-client-cli.ts.
import { runClientCli } from './run-client-cli.js';

const code = await runClientCli(process.argv.slice(2), {
  input: process.stdin,
  output: process.stdout,
  error: process.stderr,
  isTTY: Boolean(process.stdin.isTTY && process.stdout.isTTY),
});
process.exit(code);
