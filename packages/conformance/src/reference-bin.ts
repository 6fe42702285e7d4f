#!/usr/bin/env node
// The reference server behind the shared CLI, so the command-line contract
// (flags, the listening line, exit codes, signals) is tested once, here.
import { runServerCli } from '@iomodels/contract';
import { ReferenceTCPServer } from './reference-server.js';

await runServerCli({
  name: 'iomodels-reference',
  modes: ['stream'],
  create: ({ host, port, handler, grace }) =>
    new ReferenceTCPServer(handler, { host, port, shutdownGrace: grace }),
});
