// No ForkingTCPServer child outlives its server. A child that sits in
// read(2) cannot see its IPC channel close, so when the server process
// dies without closing (SIGKILL, a crash) someone else must end it: one
// small reaper process per server process, told each child's pid, waits on
// a pipe from the server; the pipe ends only when the server process does,
// and the reaper then kills the children it was told about. A server that
// exits normally kills its children itself.
import { type ChildProcess, spawn } from 'node:child_process';

/**
 * The reaper: reads `+PID` / `-PID` lines; at end of input kills every pid
 * still listed. Signals meant for the process group (Ctrl-C) do not stop
 * it: the server handles those and its exit ends the reaper's input.
 */
const REAPER_SOURCE = `
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
const pids = new Set();
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  let end;
  while ((end = pending.indexOf('\\n')) !== -1) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    if (line[0] === '+') pids.add(Number(line.slice(1)));
    else pids.delete(Number(line.slice(1)));
  }
});
process.stdin.on('end', () => {
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL'); } catch {}
  }
  process.exit(0);
});
`;

let reaper: ChildProcess | undefined;
const children = new Set<ChildProcess>();

/** Starts the reaper (once per process) and the exit hook. */
function reaperInput(): NodeJS.WritableStream | undefined {
  if (reaper === undefined) {
    reaper = spawn(process.execPath, ['-e', REAPER_SOURCE], {
      // Not the server's stderr: a spawned child's fds 0-2 are made blocking,
      // and an inherited one would make the server's own stderr block too
      // (see process-pool.ts). The reaper has nothing to say.
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    reaper.on('error', () => {}); // without a reaper, children still leave when idle
    reaper.stdin!.on('error', () => {});
    // The reaper and its pipe must not keep this process alive.
    reaper.unref();
    (reaper.stdin as unknown as { unref?(): void }).unref?.();
    process.on('exit', () => {
      for (const child of children) {
        child.kill('SIGKILL');
        // Killed here: the reaper must not kill that pid again later.
        reaper?.stdin?.write(`-${child.pid}\n`);
      }
    });
  }
  return reaper.stdin ?? undefined;
}

/** Kills `child` if this process dies or exits before the child does. */
export function reapWithServer(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return; // it was never spawned: nothing to reap
  children.add(child);
  reaperInput()?.write(`+${pid}\n`);
  child.once('exit', () => {
    children.delete(child);
    reaper?.stdin?.write(`-${pid}\n`);
  });
}
