// How many TCP sockets this process holds open, read from /proc: every
// descriptor in /proc/self/fd that is a socket listed in /proc/net/tcp or
// tcp6. Only TCP: a pool that grows holds more of other descriptors (a
// thread's event loop, a child's channel and pipes) without leaking any
// connection, so counting everything would blame growth for a leak.
import fs from 'node:fs';

/** Open TCP socket descriptors of this process, or `undefined` where there is no /proc. */
export function openTcpSockets(): number | undefined {
  let links: string[];
  try {
    links = fs.readdirSync('/proc/self/fd').map((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        return ''; // closed between the listing and the read
      }
    });
  } catch {
    return undefined;
  }
  const tcp = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue; // no IPv6 on this machine
    }
    // Columns: sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    for (const line of text.split('\n').slice(1)) {
      const inode = line.trim().split(/\s+/)[9];
      if (inode !== undefined && inode !== '0') tcp.add(inode);
    }
  }
  let count = 0;
  for (const link of links) {
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined && tcp.has(inode)) count++;
  }
  return count;
}

/** The reason the descriptor count cannot be taken here, for the test log. */
export const NO_PROC_REASON = `no /proc on ${process.platform}: descriptors not counted`;
