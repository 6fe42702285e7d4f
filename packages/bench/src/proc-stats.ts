// What a server process tree uses, read from /proc (Linux): CPU ticks and
// memory summed over the process and all its descendants (forked children,
// worker threads are already inside their process). Elsewhere: null.
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** Memory of a process tree, bytes. */
export interface TreeMemory {
  /** Sum of resident set sizes (counts shared pages once per process). */
  rss: number;
  /** Sum of proportional set sizes (shared pages split between sharers): the fair figure for forked children. */
  pss: number;
  processes: number;
}

/** Whether this machine has a readable /proc. */
export function procAvailable(): boolean {
  try {
    readFileSync('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/** Fields of /proc/<pid>/stat after the parenthesised command name. */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** `root` and every live descendant. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const fields = statFields(pid);
    if (!fields) continue;
    const ppid = Number(fields[1]); // field 4 of stat: ppid
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const tree: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/**
 * CPU seconds used by the tree so far. Each live thread's run time comes from
 * /proc/<pid>/task/<tid>/schedstat (nanoseconds): /proc/<pid>/stat counts in
 * 10 ms ticks per process, which rounds a thousand forked children's few
 * milliseconds each down to nothing. Reaped children add their stat
 * cutime + cstime; a process without schedstat falls back to its stat times.
 */
export function treeCpuSeconds(root: number): number | null {
  if (!procAvailable()) return null;
  let seconds = 0;
  for (const pid of processTree(root)) {
    const f = statFields(pid);
    if (!f) continue;
    // stat fields 14..17 (utime, stime, cutime, cstime) are indices 11..14 here.
    seconds += (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
    const threads = threadRunNanos(pid);
    seconds +=
      threads === null ? (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND : threads / 1e9;
  }
  return seconds;
}

/** Sum of the first schedstat field (ns on CPU) over a process's live threads, or null. */
function threadRunNanos(pid: number): number | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let nanos = 0;
  for (const tid of tids) {
    const text = safeRead(`/proc/${pid}/task/${tid}/schedstat`);
    if (text === null) return null;
    nanos += Number(text.split(' ')[0]);
  }
  return nanos;
}

/** RSS and PSS summed over the tree. */
export function treeMemory(root: number): TreeMemory | null {
  if (!procAvailable()) return null;
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += kib(text, 'Rss') * 1024;
      pss += kib(text, 'Pss') * 1024;
      processes++;
    } catch {
      const status = safeRead(`/proc/${pid}/status`);
      if (status === null) continue;
      const value = kib(status, 'VmRSS') * 1024;
      rss += value;
      pss += value;
      processes++;
    }
  }
  return { rss, pss, processes };
}

function kib(text: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
