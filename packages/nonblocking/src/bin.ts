#!/usr/bin/env node
// iomodels-nonblocking: the polling model behind the shared server flags.
import { runServerCli } from '@iomodels/contract';
import { PollingTCPServer } from './polling-tcp-server.js';

await runServerCli({
  name: 'iomodels-nonblocking',
  // polling: back off up to the default pollInterval when nothing moves;
  // busy: pollInterval 0, sweep without pause (the model at its purest).
  modes: ['polling', 'busy'],
  create: ({ handler, mode, options }) =>
    new PollingTCPServer(handler, { ...options, ...(mode === 'busy' ? { pollInterval: 0 } : {}) }),
});
