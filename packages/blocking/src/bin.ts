#!/usr/bin/env node
// iomodels-blocking: the shared server CLI with --mode serial|threading|forking.
import { runServerCli } from '@iomodels/contract';
import { ForkingTCPServer } from './forking-tcp-server.js';
import { ForkingUDPServer } from './forking-udp-server.js';
import { TCPServer } from './tcp-server.js';
import { ThreadingTCPServer } from './threading-tcp-server.js';
import { ThreadingUDPServer } from './threading-udp-server.js';
import { UDPServer } from './udp-server.js';

await runServerCli({
  name: 'iomodels-blocking',
  modes: ['threading', 'serial', 'forking'],
  defaultMode: 'threading',
  singleProcess: 'threading and forking already spread connections over the cores',
  create({ handler, mode, options }) {
    if (mode === 'serial') return new TCPServer(handler, options);
    if (mode === 'forking') return new ForkingTCPServer(handler, options);
    return new ThreadingTCPServer(handler, options);
  },
  // --listen udp:…: the same modes, for datagrams.
  createDatagram({ handler, mode, listen, grace }) {
    const options = { listen, shutdownGrace: grace };
    if (mode === 'serial') return new UDPServer(handler, options);
    if (mode === 'forking') return new ForkingUDPServer(handler, options);
    return new ThreadingUDPServer(handler, options);
  },
});
