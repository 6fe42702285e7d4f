#!/usr/bin/env node
// iomodels-nonblocking: the polling model behind the shared server flags.
import { runServerCli } from '@iomodels/contract';
import { PollingTCPServer } from './polling-tcp-server.js';

await runServerCli({
  name: 'iomodels-nonblocking',
  modes: ['polling'],
  create: ({ host, port, handler, grace }) =>
    new PollingTCPServer(handler, { host, port, shutdownGrace: grace }),
});
