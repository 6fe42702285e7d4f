#!/usr/bin/env node
// iomodels-async: the proactor model behind the shared server flags, plus
// its own `--backend libuv|uring|auto` (experimental io_uring backend).
import { EXIT_USAGE, runServerCli, UsageError } from '@iomodels/contract';
import { ProactorTCPServer } from './proactor-tcp-server.js';
import { ProactorUDPServer } from './proactor-udp-server.js';
import type { BackendPreference } from './uring-backend.js';

const BACKENDS: readonly string[] = ['libuv', 'uring', 'auto'];

/** Takes `--backend <name>` out of `argv` (the shared flags belong to the contract's parser). */
function takeBackend(argv: string[]): { backend: BackendPreference; rest: string[] } {
  const at = argv.indexOf('--backend');
  if (at === -1) return { backend: 'libuv', rest: argv };
  const value = argv[at + 1] ?? '';
  if (!BACKENDS.includes(value)) {
    process.stderr.write(`iomodels-async: --backend must be one of ${BACKENDS.join(', ')}\n`);
    process.exit(EXIT_USAGE);
  }
  return {
    backend: value as BackendPreference,
    rest: [...argv.slice(0, at), ...argv.slice(at + 2)],
  };
}

const { backend, rest } = takeBackend(process.argv.slice(2));

await runServerCli(
  {
    name: 'iomodels-async',
    modes: ['proactor'],
    create: ({ handler, options }) => new ProactorTCPServer(handler, { ...options, backend }),
    createDatagram: ({ handler, listen, grace }) => {
      if (backend === 'uring') throw new UsageError('--backend uring serves tcp: only, not udp:');
      return new ProactorUDPServer(handler, { listen, shutdownGrace: grace });
    },
  },
  rest,
);
