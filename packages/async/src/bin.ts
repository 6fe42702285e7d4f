#!/usr/bin/env node
// iomodels-async: the proactor model behind the shared server flags.
import { runServerCli } from '@iomodels/contract';
import { ProactorTCPServer } from './proactor-tcp-server.js';

await runServerCli({
  name: 'iomodels-async',
  modes: ['proactor'],
  create: ({ handler, options }) => new ProactorTCPServer(handler, options),
});
