// A server's process tree as /proc (Linux) shows it: which processes it has,
// and their memory summed (forked children; worker threads are already inside
// their process). Its CPU is in tree-cpu.ts. Elsewhere: null.
import { readdirSync, readFileSync } from 'node:fs';

/** Memory of a process tree, bytes. */
export interface TreeMemory {
  /** Sum of resident set sizes (counts shared pages once per process). */
  rss: number;
  /** Sum of proportional set sizes (shared pages split between sharers): the fair figure for forked children. */
  pss: number;
  /**
   * The anonymous part of `pss` (`Pss_Anon`: heaps, stacks, copy-on-write
   * pages split between forked sharers), without file-backed pages — Node's
   * binary and libraries, whose proportional share rises and falls as other
   * processes mapping them exit and start (PSS read 3.2–4.5 KiB per
   * connection, this 4.90–4.91, over three readings of 2,000 idle
   * connections while a test suite ran beside them). What idle memory per
   * connection is read from. `pss` where the kernel does
   * not report it.
   */
  anon: number;
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

/** Fields of /proc/<pid>/stat after the parenthesised command name (field 3, state, is index 0). */
export function statFields(pid: number): string[] | null {
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

/** RSS, PSS and its anonymous part summed over the tree. */
export function treeMemory(root: number): TreeMemory | null {
  if (!procAvailable()) return null;
  let rss = 0;
  let pss = 0;
  let anon = 0;
  let processes = 0;
  for (const pid of processTree(root)) {
    try {
      const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      rss += kib(text, 'Rss') * 1024;
      const proportional = kib(text, 'Pss') * 1024;
      pss += proportional;
      anon += /^Pss_Anon:/m.test(text) ? kib(text, 'Pss_Anon') * 1024 : proportional;
      processes++;
    } catch {
      const status = safeRead(`/proc/${pid}/status`);
      if (status === null) continue;
      const value = kib(status, 'VmRSS') * 1024;
      rss += value;
      pss += value;
      anon += value;
      processes++;
    }
  }
  return { rss, pss, anon, processes };
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
