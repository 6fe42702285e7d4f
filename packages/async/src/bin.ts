#!/usr/bin/env node
// iomodels-async: the proactor model behind the shared server flags.
import { runServerCli } from '@iomodels/contract';
import { ProactorTCPServer } from './proactor-tcp-server.js';
import type { BackendPreference } from './uring-backend.js';

/** `IOMODELS_ASYNC_BACKEND=uring` (or `auto`): the experimental io_uring backend. */
function backendFromEnv(): BackendPreference {
  const value = process.env.IOMODELS_ASYNC_BACKEND;
  return value === 'uring' || value === 'auto' ? value : 'libuv';
}

await runServerCli({
  name: 'iomodels-async',
  modes: ['proactor'],
  create: ({ handler, options }) =>
    new ProactorTCPServer(handler, { ...options, backend: backendFromEnv() }),
});
