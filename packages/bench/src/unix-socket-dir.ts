// The temporary folder the Unix-socket runs listen in: made when a run
// starts, one fresh socket file name per server start, removed at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A folder of socket files for one run. */
export class UnixSocketDir {
  /** Short on purpose: a socket path must fit in sun_path (108 bytes on Linux). */
  readonly dir = mkdtempSync(join(tmpdir(), 'iomodels-bench-'));
  private count = 0;

  /**
   * A path no server has used in this run: a server killed with SIGKILL
   * leaves its file behind, and the model bins refuse to listen over a stale one.
   */
  next(): string {
    return join(this.dir, `s${this.count++}.sock`);
  }

  /** Removes the folder and every socket file left in it. */
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
