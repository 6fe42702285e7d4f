// The socket file of a Unix-socket server: claimed before binding, released
// after closing. A file left behind by a server that died is "stale": with
// `lockfile=1` (Twisted's rule) a `PATH.lock` holding the owner's pid tells
// a stale file from a live one, and a stale one is replaced; without it, an
// existing file is refused, since nothing says whether someone serves it.
import fs from 'node:fs';
import { AddressInUseError, ListenError } from './errors.js';

/** What a Unix endpoint asks of its socket file. */
export interface SocketFileRequest {
  readonly path: string;
  readonly lockfile: boolean;
}

/**
 * Makes `path` free to bind: takes the lock (when asked) and removes a stale
 * socket file. Returns the release to call after the server closed: it
 * removes the socket file and the lock. Throws `AddressInUseError` (one
 * line) when a live server holds the lock or, without a lock, when the file
 * exists.
 */
export function claimSocketFile({ path, lockfile }: SocketFileRequest): () => void {
  if (lockfile) {
    const lock = `${path}.lock`;
    takeLock(path, lock);
    // We hold the lock: whoever made the socket file is gone.
    removeIfSocket(path);
    return () => {
      removeQuietly(path);
      removeQuietly(lock);
    };
  }
  if (fs.existsSync(path)) {
    throw new AddressInUseError(
      `unix:${path} already exists (a live server, or a stale file: remove it, or listen with :lockfile=1)`,
    );
  }
  return () => removeQuietly(path);
}

/** Creates `lock` holding our pid; a lock whose process is gone is taken over. */
function takeLock(path: string, lock: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ListenError(`cannot create the lock ${lock}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    }
    const owner = Number.parseInt(readQuietly(lock), 10);
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new AddressInUseError(`unix:${path} is in use: process ${owner} holds ${lock}`);
    }
    removeQuietly(lock);
  }
  throw new AddressInUseError(`unix:${path}: another process took ${lock} first`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeIfSocket(path: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) {
    throw new ListenError(`unix:${path} exists and is not a socket; not removing it`);
  }
  removeQuietly(path);
}

function readQuietly(path: string): string {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function removeQuietly(path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // Already gone (libuv unlinks a closed listening socket's file itself).
  }
}
