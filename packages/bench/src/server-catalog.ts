// Every server the bench knows, and whether this machine can run it: the
// iomodels model bins (found at run time), plain Node net, and the Python
// peers. A missing one is skipped with a reason, never an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One server to measure: how to start it, or why it cannot be. */
export interface ServerSpec {
  /** Short stable name used in tables, JSON and the chart, e.g. `multiplex/reactor`. */
  name: string;
  /** What it is, for the README-style legend. */
  description: string;
  /** `model` (this project), `baseline` (plain Node net) or `peer` (Python). */
  kind: 'model' | 'baseline' | 'peer';
  /**
   * Program and arguments, `--backlog LISTEN_BACKLOG` included; the runner
   * appends where to listen (`listenFlags`).
   */
  command: string[] | null;
  /** Why it is skipped, when `command` is null. */
  skipped?: string;
  /**
   * Set when it serves TCP only, with the reason; otherwise `--listen
   * unix:PATH` makes it serve the same echo on a Unix socket file.
   */
  tcpOnly?: string;
  /** Cap on idle connections for the memory workload, with the reason. */
  idleCap?: { connections: number; reason: string };
  /**
   * Set on a handler variant (not a model or peer of its own): measured
   * only when named (`bench:compare --servers`, `bench --only`), so the full
   * bench keeps one echo for every server.
   */
  variant?: string;
}

/** Listen queue every server under test gets (the kernel caps it at net.core.somaxconn). */
export const LISTEN_BACKLOG = 4096;

const here = fileURLToPath(new URL('.', import.meta.url));
/** The monorepo's `packages/` folder (this file runs from packages/bench/dist). */
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where a server is told to listen: an ephemeral port on 127.0.0.1, or the
 * Unix socket file `unixPath` (every server without `tcpOnly` takes
 * `--listen unix:PATH`, the model bins' endpoint syntax).
 */
export function listenFlags(unixPath: string | null = null): string[] {
  return unixPath === null
    ? ['--host', '127.0.0.1', '--port', '0']
    : ['--listen', `unix:${unixPath}`];
}

/** The models and their modes, in the order the DESIGN lists them. */
const MODELS: Array<{ model: string; mode: string; flags: string[]; description: string }> = [
  {
    model: 'blocking',
    mode: 'serial',
    flags: ['--mode', 'serial'],
    description: 'TCPServer: one connection at a time',
  },
  {
    model: 'blocking',
    mode: 'threading',
    flags: ['--mode', 'threading'],
    description: 'ThreadingTCPServer: worker thread per connection',
  },
  {
    model: 'blocking',
    mode: 'forking',
    flags: ['--mode', 'forking'],
    description: 'ForkingTCPServer: pre-forked child per connection',
  },
  {
    model: 'nonblocking',
    mode: 'polling',
    flags: [],
    description: 'PollingTCPServer: one loop polls every O_NONBLOCK socket',
  },
  {
    model: 'nonblocking',
    mode: 'busy',
    flags: ['--mode', 'busy'],
    description: 'PollingTCPServer with pollInterval 0: busy polling, no back-off',
  },
  {
    model: 'multiplex',
    mode: 'reactor',
    flags: [],
    description: 'ReactorTCPServer: epoll readiness, Twisted-style reactor',
  },
  {
    model: 'async',
    mode: 'proactor',
    flags: [],
    description: 'ProactorTCPServer: posted reads/writes complete later',
  },
];

/** Finds a Python 3 that can import `module`: `python3` on PATH first, then the system one. */
export function findPython(module: string): string | null {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', `import ${module}`], {
      stdio: 'ignore',
      timeout: 10_000,
    });
    if (probe.status === 0) return python;
  }
  return null;
}

/** Every server, available or not. `only` keeps names containing any of its strings. */
export function serverCatalog(options: { packagesDir?: string } = {}): ServerSpec[] {
  const packages = options.packagesDir ?? packagesDir;
  const node = process.execPath;
  const handler = ['--handler', 'echo', '--grace', '1'];
  // Every server gets the same listen queue, so none is measured by its default.
  const backlog = ['--backlog', String(LISTEN_BACKLOG)];
  const specs: ServerSpec[] = [
    {
      name: 'node-net',
      description: 'plain Node net echo, socket.pipe(socket) (the baseline)',
      kind: 'baseline',
      command: [node, `${here}net-echo-server.js`, ...backlog],
    },
  ];
  for (const m of MODELS) {
    const bin = `${packages}${m.model}/dist/bin.js`;
    const exists = existsSync(bin);
    specs.push({
      name: `${m.model}/${m.mode}`,
      description: m.description,
      kind: 'model',
      command: exists ? [node, bin, ...handler, ...m.flags, ...backlog] : null,
      ...(exists ? {} : { skipped: `packages/${m.model}/dist/bin.js not built` }),
    });
  }
  specs.push(...recvIntoVariants(packages, node, [...backlog, '--grace', '1']));
  specs.push(asyncUring(packages, node, [...handler, ...backlog]));
  specs.push(uringEcho(packages, node, backlog));
  const script = fileURLToPath(new URL('../python/echo_server.py', import.meta.url));
  const peers: Array<{
    mode: string;
    module: string;
    description: string;
    idleCap?: ServerSpec['idleCap'];
  }> = [
    {
      mode: 'threading',
      module: 'socketserver',
      description: 'Python socketserver.ThreadingTCPServer (queue 4096)',
    },
    {
      mode: 'forking',
      module: 'socketserver',
      description: 'Python socketserver.ForkingTCPServer (queue 4096, max_children unlimited)',
      idleCap: { connections: 2_000, reason: 'one forked process per connection' },
    },
    { mode: 'asyncio', module: 'asyncio', description: 'Python asyncio Protocol echo' },
    { mode: 'twisted', module: 'twisted', description: 'Twisted reactor + Protocol echo' },
  ];
  for (const peer of peers) {
    const python = findPython(peer.module);
    const run = (name: string, extra: string[], more: Partial<ServerSpec>) =>
      specs.push({
        name,
        description: peer.description,
        kind: 'peer',
        command: python ? [python, script, peer.mode, ...extra, ...backlog] : null,
        ...(python ? {} : { skipped: `no python3 that can import ${peer.module}` }),
        ...(peer.idleCap ? { idleCap: peer.idleCap } : {}),
        ...more,
      });
    run(`python/${peer.mode}`, [], {});
    if (peer.module === 'socketserver') {
      run(`python/${peer.mode}-recv-into`, ['--recv-into'], { variant: RECV_INTO_VARIANT });
    }
  }
  return specs;
}

/**
 * The servers a bench run measures: those whose name contains one of
 * `only`'s strings (plain `net`, the baseline, always), or without `only`
 * every server but the handler variants, which are measured when named.
 */
export function selectServers(specs: ServerSpec[], only: string[] | null): ServerSpec[] {
  if (only)
    return specs.filter((s) => s.kind === 'baseline' || only.some((o) => s.name.includes(o)));
  return specs.filter((s) => !s.variant);
}

const RECV_INTO_VARIANT = 'the echo written with recv_into into one buffer per connection';

/**
 * ThreadingTCPServer and ForkingTCPServer running the echo as a blocking
 * handler is written (`handlers/recv-into-echo.mjs`: `recvInto` and
 * `sendall` without `await`), to set against Python's `--recv-into` peers:
 * what the model costs without the portable contract's price.
 */
function recvIntoVariants(packages: string, node: string, flags: string[]): ServerSpec[] {
  const bin = `${packages}blocking/dist/bin.js`;
  const exists = existsSync(bin);
  const handler = `${fileURLToPath(new URL('../handlers/recv-into-echo.mjs', import.meta.url))}#RecvIntoEchoHandler`;
  return ['threading', 'forking'].map((mode) => ({
    name: `blocking/${mode}-recv-into`,
    description: `${mode === 'threading' ? 'ThreadingTCPServer' : 'ForkingTCPServer'} with a recvInto echo handler`,
    kind: 'model' as const,
    command: exists ? [node, bin, '--handler', handler, '--mode', mode, ...flags] : null,
    ...(exists ? {} : { skipped: 'packages/blocking/dist/bin.js not built' }),
    variant: RECV_INTO_VARIANT,
  }));
}

/** The proactor model on io_uring (`iomodels-async --backend uring`), when the add-on is built. */
function asyncUring(packages: string, node: string, flags: string[]): ServerSpec {
  const bin = `${packages}async/dist/bin.js`;
  return {
    name: 'async/uring',
    description: 'ProactorTCPServer on io_uring: posted recv/send completed by the kernel',
    kind: 'model',
    ...whenBuilt(packages, bin, [node, bin, ...flags, '--backend', 'uring']),
    // On a socket file the proactor accepts on libuv: it would measure async/proactor again.
    tcpOnly: 'io_uring accepts TCP only; on a Unix socket --backend uring runs on libuv',
  };
}

/** `command` when `bin` and the io_uring add-on are built, else why it is skipped. */
function whenBuilt(
  packages: string,
  bin: string,
  command: string[],
): Pick<ServerSpec, 'command' | 'skipped'> {
  const addon = `${packages}uring/build/uring.node`;
  const missing = !existsSync(bin) ? bin : !existsSync(addon) ? addon : null;
  return missing
    ? { command: null, skipped: `${missing.slice(packages.length)} not built` }
    : { command };
}

/**
 * The echo on `@iomodels/uring` (a completion backend through io_uring,
 * optional): runs when its bin is built and its add-on compiled at install.
 */
function uringEcho(packages: string, node: string, backlog: string[]): ServerSpec {
  const bin = `${packages}uring/dist/bin.js`;
  return {
    name: 'uring/echo',
    description:
      'io_uring echo (@iomodels/uring): posted recv/send, one io_uring_enter per loop turn',
    kind: 'model',
    ...whenBuilt(packages, bin, [node, bin, ...backlog]),
    tcpOnly: 'its bin takes --host/--port only',
  };
}
