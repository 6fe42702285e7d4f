#!/usr/bin/env node
// iomodels-multiplex: the shared server flags, served by the Reactor model.
import { runServerCli } from '@iomodels/contract';
import { ReactorTCPServer } from './reactor-tcp-server.js';
import { ReactorUDPServer } from './reactor-udp-server.js';

void runServerCli({
  name: 'iomodels-multiplex',
  modes: ['reactor'],
  create: ({ handler, options }) => new ReactorTCPServer(handler, options),
  createDatagram: ({ handler, listen, grace }) =>
    new ReactorUDPServer(handler, { listen, shutdownGrace: grace }),
});
