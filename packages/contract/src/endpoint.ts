// Endpoint strings, Twisted's syntax (`tcp:8009:interface=\:\:1`,
// `unix:/run/ivr.sock:mode=660`, `systemd:domain=INET6:index=0`), parsed once
// here so that every server, every bin's `--listen` and the client's
// `--connect` read them the same way. Pure: no IO; socket activation reads
// only the environment it is given.
import { UsageError } from './errors.js';

/** Where a server listens. `host` defaults to loopback, as `DEFAULT_HOST` does. */
export type ServerEndpoint =
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly backlog?: number;
    }
  | {
      readonly kind: 'unix';
      readonly path: string;
      /** File mode of the socket file, e.g. 0o660; unset = the process umask decides. */
      readonly mode?: number;
      /** Twisted's `lockfile=1`: a `PATH.lock` file guards the socket file, so a stale one can be replaced. */
      readonly lockfile: boolean;
      readonly backlog?: number;
    }
  | { readonly kind: 'udp'; readonly host: string; readonly port: number }
  /** An already-listening descriptor this process inherited. */
  | { readonly kind: 'fd'; readonly fd: number }
  /** systemd socket activation: the `index`-th descriptor passed in `LISTEN_FDS`. */
  | { readonly kind: 'systemd'; readonly index: number; readonly domain?: SystemdDomain };

/** Where a client connects. */
export type ClientEndpoint =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'udp'; readonly host: string; readonly port: number };

export type SystemdDomain = 'INET' | 'INET6' | 'UNIX';

/** The first descriptor systemd passes (`SD_LISTEN_FDS_START`): after stdin, stdout, stderr. */
export const SD_LISTEN_FDS_START = 3;

/** Parses a server endpoint string; a bad one throws a one-line `UsageError`. */
export function parseServerEndpoint(text: string): ServerEndpoint {
  const { kind, positional, named } = split(text, SERVER_KEYS);
  const at = argument(text, positional, named);
  switch (kind) {
    case 'tcp':
    case 'tcp6': {
      expectPositional(text, positional, 1);
      const host = named.get('interface') ?? (kind === 'tcp6' ? '::1' : '127.0.0.1');
      const backlog = named.get('backlog');
      return {
        kind: 'tcp',
        host: unbracket(host),
        port: parsePort(text, required(text, at('port', 0), 'a port')),
        ...(backlog === undefined ? {} : { backlog: parseCount(text, 'backlog', backlog) }),
      };
    }
    case 'udp':
    case 'udp6': {
      expectPositional(text, positional, 1);
      return {
        kind: 'udp',
        host: unbracket(named.get('interface') ?? (kind === 'udp6' ? '::1' : '127.0.0.1')),
        port: parsePort(text, required(text, at('port', 0), 'a port')),
      };
    }
    case 'unix': {
      expectPositional(text, positional, 1);
      const mode = named.get('mode');
      const backlog = named.get('backlog');
      return {
        kind: 'unix',
        path: required(text, at('address', 0), 'a path'),
        lockfile: parseFlag(text, 'lockfile', named.get('lockfile') ?? '0'),
        ...(mode === undefined ? {} : { mode: parseMode(text, mode) }),
        ...(backlog === undefined ? {} : { backlog: parseCount(text, 'backlog', backlog) }),
      };
    }
    case 'fd': {
      expectPositional(text, positional, 1);
      return {
        kind: 'fd',
        fd: parseInteger(text, 'fileno', required(text, at('fileno', 0), 'a descriptor')),
      };
    }
    case 'systemd': {
      expectPositional(text, positional, 0);
      const domain = named.get('domain');
      if (domain !== undefined && !['INET', 'INET6', 'UNIX'].includes(domain)) {
        throw bad(text, `domain must be INET, INET6 or UNIX, got "${domain}"`);
      }
      return {
        kind: 'systemd',
        index: parseInteger(text, 'index', named.get('index') ?? '0'),
        ...(domain === undefined ? {} : { domain: domain as SystemdDomain }),
      };
    }
    default:
      throw bad(text, `unknown kind "${kind}" (tcp, tcp6, unix, udp, udp6, fd, systemd)`);
  }
}

/** Parses a client endpoint string (`tcp:HOST:PORT`, `unix:PATH`, `udp:HOST:PORT`). */
export function parseClientEndpoint(text: string): ClientEndpoint {
  const { kind, positional, named } = split(text, CLIENT_KEYS);
  const at = argument(text, positional, named);
  switch (kind) {
    case 'tcp':
    case 'tcp6':
    case 'udp':
    case 'udp6': {
      expectPositional(text, positional, 2);
      const host = unbracket(required(text, at('host', 0), 'a host'));
      const port = parsePort(text, required(text, at('port', 1), 'a port'));
      if (port === 0) throw bad(text, 'a client needs a real port, not 0');
      return { kind: kind.startsWith('udp') ? 'udp' : 'tcp', host, port };
    }
    case 'unix':
      expectPositional(text, positional, 1);
      return { kind: 'unix', path: required(text, at('path', 0), 'a path') };
    default:
      throw bad(text, `unknown kind "${kind}" (tcp, tcp6, unix, udp, udp6)`);
  }
}

/**
 * The descriptor of a systemd-activated socket: `LISTEN_PID` must be this
 * process (the variables were meant for it, not inherited by accident) and
 * `LISTEN_FDS` must count past `index`.
 */
export function socketActivationFd(
  index: number,
  env: Readonly<Record<string, string | undefined>> = process.env,
  pid: number = process.pid,
): number {
  const listenPid = env.LISTEN_PID;
  const listenFds = env.LISTEN_FDS;
  if (listenPid === undefined || listenFds === undefined) {
    throw new UsageError(
      'systemd: endpoint: LISTEN_PID and LISTEN_FDS are not set (not socket-activated)',
    );
  }
  if (listenPid !== String(pid)) {
    throw new UsageError(
      `systemd: endpoint: LISTEN_PID is ${listenPid}, not this process (${pid})`,
    );
  }
  const count = /^\d+$/.test(listenFds) ? Number(listenFds) : Number.NaN;
  if (!(index < count)) {
    throw new UsageError(`systemd: endpoint: index ${index} but LISTEN_FDS is ${listenFds}`);
  }
  return SD_LISTEN_FDS_START + index;
}

/** The canonical string of an endpoint, escaped so that it parses back to itself. */
export function formatServerEndpoint(endpoint: ServerEndpoint): string {
  switch (endpoint.kind) {
    case 'tcp':
    case 'udp': {
      const backlog = 'backlog' in endpoint ? option('backlog', endpoint.backlog) : '';
      return `${endpoint.kind}:${endpoint.port}:interface=${escapeValue(endpoint.host)}${backlog}`;
    }
    case 'unix':
      return (
        `unix:${escapeValue(endpoint.path)}:lockfile=${endpoint.lockfile ? 1 : 0}` +
        option('mode', endpoint.mode?.toString(8).padStart(4, '0')) +
        option('backlog', endpoint.backlog)
      );
    case 'fd':
      return `fd:${endpoint.fd}`;
    case 'systemd':
      return `systemd:index=${endpoint.index}${option('domain', endpoint.domain)}`;
  }
}

function option(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `:${name}=${value}`;
}

const SERVER_KEYS = new Set([
  'port',
  'interface',
  'backlog',
  'address',
  'mode',
  'lockfile',
  'fileno',
  'domain',
  'index',
]);
const CLIENT_KEYS = new Set(['host', 'port', 'path']);

interface Parts {
  readonly kind: string;
  readonly positional: string[];
  readonly named: Map<string, string>;
}

/**
 * Splits at unescaped colons. `\` escapes the next character (Twisted's
 * rule); a `[...]` group keeps its colons too, so `interface=[::1]` works
 * without escaping.
 */
function split(text: string, keys: ReadonlySet<string>): Parts {
  const fields: string[] = [];
  let field = '';
  let bracket = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 === text.length) throw bad(text, 'it ends with a lone "\\"');
      field += text[++i];
    } else if (c === ':' && !bracket) {
      fields.push(field);
      field = '';
    } else {
      if (c === '[') bracket = true;
      else if (c === ']') bracket = false;
      field += c;
    }
  }
  fields.push(field);
  const [kind = '', ...rest] = fields;
  if (fields.length === 1)
    throw bad(text, 'expected KIND:ARGUMENTS, e.g. tcp:8009 or unix:/run/ivr.sock');
  const positional: string[] = [];
  const named = new Map<string, string>();
  // `systemd:` and `tcp:` have an empty argument list, not one empty argument.
  for (const item of rest.length === 1 && rest[0] === '' ? [] : rest) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq);
    if (eq >= 0 && keys.has(key)) {
      if (named.has(key)) throw bad(text, `"${key}" is given twice`);
      named.set(key, item.slice(eq + 1));
    } else if (eq >= 0 && /^[a-z]+$/.test(key)) {
      throw bad(text, `unknown option "${key}" for ${kind}:`);
    } else {
      if (named.size > 0) {
        throw bad(
          text,
          `"${item}" after the key=value options (escape a colon inside a value as \\:)`,
        );
      }
      positional.push(item);
    }
  }
  return { kind: kind.toLowerCase(), positional, named };
}

/** An argument given by position or by name, but not both. */
function argument(text: string, positional: string[], named: Map<string, string>) {
  return (key: string, index: number): string | undefined => {
    const value = named.get(key);
    if (value !== undefined && positional[index] !== undefined)
      throw bad(text, `"${key}" is given twice`);
    return value ?? positional[index];
  };
}

function expectPositional(text: string, positional: string[], most: number): void {
  if (positional.length > most) {
    const hint = positional.some((p) => p === '') ? ' (escape a colon inside a value as \\:)' : '';
    throw bad(text, `unexpected "${positional.slice(most).join(':')}"${hint}`);
  }
}

function required(text: string, value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw bad(text, `${what} is missing`);
  return value;
}

function parsePort(text: string, value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port <= 65_535)) throw bad(text, `port must be a whole number 0-65535, got "${value}"`);
  return port;
}

function parseInteger(text: string, name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw bad(text, `${name} must be a whole number, got "${value}"`);
  return Number(value);
}

function parseCount(text: string, name: string, value: string): number {
  const count = parseInteger(text, name, value);
  if (count === 0) throw bad(text, `${name} must be at least 1`);
  return count;
}

function parseMode(text: string, value: string): number {
  if (!/^0?[0-7]{3}$/.test(value))
    throw bad(text, `mode must be octal like 660 or 0660, got "${value}"`);
  return Number.parseInt(value, 8);
}

function parseFlag(text: string, name: string, value: string): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw bad(text, `${name} must be 0 or 1, got "${value}"`);
}

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function escapeValue(value: string): string {
  return value.replace(/[\\:]/g, (c) => `\\${c}`);
}

function bad(text: string, reason: string): UsageError {
  return new UsageError(`bad endpoint "${text}": ${reason}`);
}
