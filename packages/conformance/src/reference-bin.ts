#!/usr/bin/env node
// The reference server behind the shared CLI, so the command-line contract
// (flags, the listening line, exit codes, signals) is tested once, here.
import { runServerCli } from '@iomodels/contract';
import { ReferenceTCPServer } from './reference-server.js';

await runServerCli({
  name: 'iomodels-reference',
  modes: ['stream'],
  create: ({ handler, options }) => new ReferenceTCPServer(handler, options),
});
