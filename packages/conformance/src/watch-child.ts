// A child process under test, its output collected as it arrives.
import type { ChildProcess } from 'node:child_process';

/** A watched child: its output so far and its exit. */
export interface WatchedChild {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

/** Collects `child`'s stdout and stderr (when piped) and its exit code. */
export function watchChild(child: ChildProcess): WatchedChild {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}
