// The flags every model's bin shares, parsed strictly.

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { parseServerEndpoint, type ServerEndpoint } from '../endpoint.js';
import { UsageError } from '../errors.js';
import { type HandlerReference, parseHandlerArgument } from '../handler-reference.js';
import {
  DEFAULT_BACKLOG,
  DEFAULT_HOST,
  DEFAULT_PORT,
  DEFAULT_SHUTDOWN_GRACE,
  type ServerOptions,
} from '../server-options.js';
import type { ServerTlsOptions } from '../tls-socket.js';
import { parseDecimalFlag, parseIntegerFlag } from './parse-number-flag.js';
import { PROXY_FLAGS, PROXY_USAGE, parseProxyFlags } from './parse-proxy-flags.js';

/** What a model's bin needs to know to build its server. */
export interface ServerArgs {
  /** `--listen`, parsed; `tcp:` on `--host`/`--port` when not given. */
  listen: ServerEndpoint;
  host: string;
  port: number;
  handler: HandlerReference;
  mode: string;
  /** Grace period for open connections on SIGINT/SIGTERM, ms. */
  grace: number;
  /** Listen queue length (`ServerOptions.backlog`); the kernel caps it at `net.core.somaxconn`. */
  backlog: number;
  /** `--workers N|auto`: processes serving the one address (1 = this process, no supervisor). */
  workers: number;
  /** `--metrics tcp:PORT`: where Prometheus text is served; unset = off. */
  metrics?: { host: string; port: number };
  /** The flags every server shares, as server options (host, port, backlog, shutdownGrace): one place, so no bin forgets one. */
  options: ServerOptions;
}

/** listen(2) takes an `int`. */
const MAX_BACKLOG = 2 ** 31 - 1;

/** The model-specific part of a bin. */
export interface ServerCommandSpec {
  /** The bin's name, e.g. `iomodels-blocking`. */
  readonly name: string;
  /** Modes `--mode` accepts; the first is the default unless `defaultMode` says otherwise. */
  readonly modes: readonly string[];
  readonly defaultMode?: string;
  /** Set when the bin refuses `--workers` above 1: the one-line reason. */
  readonly singleProcess?: string;
}

/** How many processes at most: more than this is a typo, not a machine. */
const MAX_WORKERS = 1024;

export function usage(spec: ServerCommandSpec): string {
  // Listed even when a model has one mode: the flag is accepted, so --help says so.
  const only = spec.modes.length === 1 ? ' (the only one)' : ` (default ${defaultMode(spec)})`;
  return [
    `usage: ${spec.name} [--listen ENDPOINT | --host HOST --port PORT] [--handler ivr|echo|FILE[#EXPORT]] [--mode ${spec.modes.join('|')}] [--grace SECONDS] [--backlog N] [--proxy-protocol v1|v2|auto [--proxy-allow CIDR,…]] [--workers N|auto] [--metrics ENDPOINT] [--tls-cert FILE --tls-key FILE]`,
    '  --listen   endpoint: tcp:PORT[:interface=ADDR], tcp6:PORT, unix:PATH[:mode=660][:lockfile=1], fd:N, systemd:, udp:PORT[:interface=ADDR], udp6:PORT',
    `  --host     interface to listen on (default ${DEFAULT_HOST})`,
    `  --port     port to listen on, 0 = any free port (default ${DEFAULT_PORT})`,
    '  --handler  ivr (the 10086 menu, default), echo, or a module exporting a handler class',
    `  --mode     ${spec.modes.join(', ')}${only}`,
    `  --grace    seconds open connections get to finish on SIGINT/SIGTERM (default ${DEFAULT_SHUTDOWN_GRACE / 1000})`,
    `  --backlog  listen queue length, capped by the kernel (net.core.somaxconn on Linux) (default ${DEFAULT_BACKLOG})`,
    ...PROXY_USAGE,
    '  --workers  N|auto: processes sharing the address under one supervisor; auto = one per core (default 1)',
    '  --tls-cert, --tls-key  FILE: serve TLS with this certificate chain and key (PEM); multiplex and async only',
    '  --metrics  tcp:PORT[:interface=HOST]: serve the counters as Prometheus text at /metrics (default off)',
  ].join('\n');
}

/** Parses argv; returns `help` for `--help`; throws `UsageError` for anything wrong. */
export function parseServerArgs(
  argv: readonly string[],
  spec: ServerCommandSpec,
): ServerArgs | 'help' {
  const values = parseFlags(argv, [
    'listen',
    'host',
    'port',
    'handler',
    'mode',
    'grace',
    'backlog',
    ...PROXY_FLAGS,
    'workers',
    'metrics',
    'tls-cert',
    'tls-key',
  ]);
  if (values.help) return 'help';
  // parseArgs keeps the last of a repeated flag; a server listens on one endpoint.
  if (argv.filter((arg) => arg === '--listen' || arg.startsWith('--listen=')).length > 1) {
    throw new UsageError('--listen is given more than once: a server listens on one endpoint');
  }
  if (values.listen !== undefined && (values.host !== undefined || values.port !== undefined)) {
    throw new UsageError('give either --listen or --host/--port, not both');
  }
  const host = (values.host as string | undefined) ?? DEFAULT_HOST;
  if (host === '') throw new UsageError('--host must not be empty');
  const port = parseIntegerFlag('--port', values.port as string | undefined, DEFAULT_PORT, {
    min: 0,
    max: 65535,
  });
  const grace = parseDecimalFlag(
    '--grace',
    values.grace as string | undefined,
    DEFAULT_SHUTDOWN_GRACE / 1000,
  );
  const backlog = parseIntegerFlag(
    '--backlog',
    values.backlog as string | undefined,
    DEFAULT_BACKLOG,
    { min: 1, max: MAX_BACKLOG },
  );
  const mode = (values.mode as string | undefined) ?? defaultMode(spec);
  if (!spec.modes.includes(mode)) {
    throw new UsageError(`--mode must be one of ${spec.modes.join(', ')}, got "${mode}"`);
  }
  const handler = parseHandlerArgument((values.handler as string | undefined) ?? 'ivr');
  const shutdownGrace = grace * 1000;
  const proxyProtocol = parseProxyFlags(values);
  const workers = parseWorkers(values.workers as string | undefined, spec);
  const metrics = parseMetrics(values.metrics as string | undefined);
  const tls = parseTls(
    values['tls-cert'] as string | undefined,
    values['tls-key'] as string | undefined,
  );
  const extra: Partial<ServerOptions> = {
    ...(proxyProtocol ? { proxyProtocol } : {}),
    ...(tls ? { tls } : {}),
  };
  const given = values.listen !== undefined;
  const listen: ServerEndpoint = given
    ? parseServerEndpoint(values.listen as string)
    : { kind: 'tcp', host, port };
  // node:cluster shares one bound TCP port or Unix socket file (the
  // supervisor binds it); an inherited descriptor is not shared that way yet.
  if (workers > 1 && listen.kind !== 'tcp' && listen.kind !== 'unix') {
    throw new UsageError(
      `--workers above 1 needs a tcp: or unix: endpoint, got --listen ${values.listen}`,
    );
  }
  if (values['proxy-allow'] !== undefined && listen.kind === 'unix') {
    throw new UsageError(
      "--proxy-allow has no meaning on a unix: endpoint (its peers have no IP address); the socket file's mode says who may connect (unix:PATH:mode=660)",
    );
  }
  const options: ServerOptions = given
    ? { listen, backlog, shutdownGrace, ...extra }
    : { host, port, backlog, shutdownGrace, ...extra };
  return {
    listen,
    host,
    port,
    handler,
    mode,
    grace: shutdownGrace,
    backlog,
    workers,
    ...(metrics ? { metrics } : {}),
    options,
  };
}

function parseWorkers(text: string | undefined, spec: ServerCommandSpec): number {
  const workers =
    text === 'auto'
      ? availableParallelism()
      : parseIntegerFlag('--workers', text, 1, { min: 1, max: MAX_WORKERS });
  if (workers > 1 && spec.singleProcess) {
    throw new UsageError(`--workers must be 1 for ${spec.name}: ${spec.singleProcess}`);
  }
  return workers;
}

/** `--tls-cert FILE --tls-key FILE` (PEM), both or neither; read here so a missing file is a usage error. */
function parseTls(cert: string | undefined, key: string | undefined): ServerTlsOptions | undefined {
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  return { cert: readPem('--tls-cert', cert), key: readPem('--tls-key', key) };
}

/** A PEM file's contents; a file that cannot be read is a one-line usage error. */
export function readPem(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new UsageError(
      `${flag}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

function parseMetrics(text: string | undefined): { host: string; port: number } | undefined {
  if (text === undefined) return undefined;
  const endpoint = parseServerEndpoint(text);
  if (endpoint.kind !== 'tcp') {
    throw new UsageError(`--metrics takes a tcp: endpoint (HTTP), got "${text}"`);
  }
  return { host: endpoint.host, port: endpoint.port };
}

/**
 * Strict flag parsing shared by every bin: each named flag takes a value,
 * `--help`/`-h` is a switch, anything else (unknown flag, positional) is a
 * `UsageError` with Node's own message.
 */
export function parseFlags(
  argv: readonly string[],
  names: readonly string[],
  switches: readonly string[] = [],
): Record<string, string | boolean | undefined> {
  const options: Record<string, { type: 'string' } | { type: 'boolean'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const name of names) options[name] = { type: 'string' };
  for (const name of switches) options[name] = { type: 'boolean' };
  // `--port -1` would be "ambiguous" to parseArgs (a value that looks like a
  // flag); a negative number is a value, and the number parser names the mistake.
  const args: string[] = [];
  for (const arg of argv) {
    const flag = args.at(-1);
    if (/^-\d/.test(arg) && flag?.startsWith('--') && names.includes(flag.slice(2))) {
      args[args.length - 1] = `${flag}=${arg}`;
    } else {
      args.push(arg);
    }
  }
  try {
    return parseArgs({ args, strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    // Node's message may span lines (a hint after the error): one line, as the CLI promises.
    const text = error instanceof Error ? error.message : String(error);
    throw new UsageError(text.replace(/\s*\n\s*/g, ' '));
  }
}

function defaultMode(spec: ServerCommandSpec): string {
  return spec.defaultMode ?? spec.modes[0] ?? '';
}
