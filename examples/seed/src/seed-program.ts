// What every seed program shares that the Python has no line for: Python's
// `if __name__ == '__main__'`, and the port override the tests use (the
// seed's port stays the default) with a line on stderr saying where it
// listens, so that port 0 can be found. stdout stays the seed's prints.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread } from 'node:worker_threads';

/**
 * Python's `__name__ == '__main__'`: true in the file `node` was started
 * with, false where the module is only imported — by a worker thread or
 * child process loading the handler class, or by another program.
 * (A worker thread's `process.argv[1]` is the main script too, hence `isMainThread`.)
 */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!isMainThread || script === undefined) return false;
  return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
}

/**
 * The port to use: `--port N` on the command line, else `SEED_PORT`, else
 * the seed's own. `0` asks the kernel for any free port (what the tests do).
 */
export function seedPort(seedDefault: number): number {
  const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: false });
  const text = typeof values.port === 'string' ? values.port : process.env.SEED_PORT;
  if (text === undefined || text === '') return seedDefault;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`port must be an integer from 0 to 65535, got "${text}"`);
    process.exit(2);
  }
  return port;
}

/** Says on stderr where a program listens (the seed prints nothing; port 0 needs it). */
export function announce(address: { host: string; port: number }): void {
  console.error(`listening on ${address.host}:${address.port}`);
}
