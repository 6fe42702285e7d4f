// Starts one server as its own process (its own process group, pinned to a
// CPU when taskset exists), waits for its "listening on HOST:PORT" (or
// "listening on unix:PATH") line, and
// stops it: SIGTERM, a grace period, then SIGKILL to the whole group so no
// forked child outlives the measurement.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import type { Target } from './load-generator.js';

/** A running server under test. */
export interface RunningServer {
  pid: number;
  /** The TCP address it listens on; `unix` and 0 when it listens on a Unix socket file. */
  host: string;
  port: number;
  /** Where a load generator reaches it: `{ host, port }`, or `{ path }` for a Unix socket. */
  target: Target;
  /** The last few KiB the server wrote to stderr, for failure reports. */
  stderr(): string;
  /** Whether the process has exited (e.g. crashed) already. */
  exited(): boolean;
  /** Stops the server; resolves with how it ended. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: string | null; killed: boolean }>;
}

const STDERR_KEEP = 4096;

let tasksetChecked: boolean | undefined;
/** Whether `taskset` can pin processes here (Linux with util-linux, at least 2 CPUs). */
export function canPin(cpus: number): boolean {
  if (tasksetChecked === undefined) {
    tasksetChecked = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' }).status === 0;
  }
  return tasksetChecked && cpus >= 2;
}

/** Prefixes `command` with `taskset -c CPU` when `cpu` (a CPU, or a list such as `0-3`) is given. */
export function pinned(command: string[], cpu: number | string | null): string[] {
  return cpu === null ? command : ['taskset', '-c', String(cpu), ...command];
}

/**
 * Spawns `command` (already pinned if wanted) and resolves once it prints its
 * listening line; rejects if it exits first or stays silent for `timeoutMs`.
 */
export function startServer(command: string[], timeoutMs = 15_000): Promise<RunningServer> {
  const [program, ...args] = command;
  const child: ChildProcess = spawn(program!, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  let exitInfo: { code: number | null; signal: string | null } | null = null;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });
  return new Promise<RunningServer>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      killGroup(child.pid, 'SIGKILL');
      reject(new Error(`no "listening on" line within ${timeoutMs} ms; stderr: ${stderr.trim()}`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`exited (${signal ?? code}) before listening; stderr: ${stderr.trim()}`));
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      // A Unix line first: a socket file's path may itself hold a colon and digits.
      const match =
        /listening on (unix):(\S+)\s/.exec(stdout) ?? /listening on (\S+):(\d+)/.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      const unix = match[1] === 'unix';
      const host = match[1]!.replace(/^\[|\]$/g, '');
      const port = unix ? 0 : Number(match[2]);
      resolve({
        pid: child.pid!,
        host,
        port,
        target: unix ? { path: match[2]! } : { host, port },
        stderr: () => stderr,
        exited: () => exitInfo !== null,
        async stop(graceMs = 5_000) {
          if (exitInfo) {
            killGroup(child.pid, 'SIGKILL');
            return { ...exitInfo, killed: false };
          }
          child.kill('SIGTERM');
          const timeout = new Promise<null>((r) => setTimeout(() => r(null), graceMs).unref());
          const ended = await Promise.race([exited, timeout]);
          // Whatever the leader did, no child of the group may survive.
          killGroup(child.pid, 'SIGKILL');
          if (ended) return { ...ended, killed: false };
          const forced = await exited;
          return { ...forced, killed: true };
        },
      });
    });
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Group already gone.
  }
}
