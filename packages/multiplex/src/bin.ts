#!/usr/bin/env node
// iomodels-multiplex: the shared server flags, served by the Reactor model.
import { runServerCli } from '@iomodels/contract';
import { ReactorTCPServer } from './reactor-tcp-server.js';

void runServerCli({
  name: 'iomodels-multiplex',
  modes: ['reactor'],
  create: ({ handler, options }) => new ReactorTCPServer(handler, options),
});
