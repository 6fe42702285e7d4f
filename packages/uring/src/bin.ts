#!/usr/bin/env node
// `iomodels-uring-echo --host 127.0.0.1 --port 0`: the echo server on
// io_uring, with the bench's flags and listening line; exits 3 with the
// loader's reason when io_uring cannot run here.
import { loadUring } from './load.js';
import { serveEcho } from './uring-echo.js';
import { UringLoop } from './uring-loop.js';

const USAGE = `usage: iomodels-uring-echo [--host 127.0.0.1] [--port 0] [--backlog 511] [--buffer BYTES]
  an echo server on io_uring (Linux); prints "listening on HOST:PORT (io_uring)"
  --buffer  a receive buffer of BYTES per connection (its memory for its whole life), one
            recv posted per message; default: one multishot recv per connection into the
            loop's shared buffer pool (16 MiB whatever the connections)
  exits 3 with the reason when io_uring cannot run here (see loadUring())`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const loaded = loadUring();
if (!loaded.available) {
  process.stderr.write(`iomodels-uring-echo: io_uring unavailable: ${loaded.reason}\n`);
  process.exit(3);
}
const host = flag('host', '127.0.0.1');
const server = serveEcho({
  host,
  port: Number(flag('port', '0')),
  backlog: Number(flag('backlog', '511')),
  ...(args.includes('--buffer') ? { bufferSize: Number(flag('buffer', '16384')) } : {}),
});
process.stdout.write(`listening on ${host}:${server.port} (io_uring)\n`);
const stop = () => {
  const { rescued } = UringLoop.open().stats();
  // A lost wakeup is a bug: say so where the bench keeps the server's stderr.
  if (rescued > 0) process.stderr.write(`iomodels-uring-echo: ${rescued} lost wakeup(s) rescued\n`);
  const timer = setTimeout(() => process.exit(0), 1_000);
  void server.close().then(() => {
    clearTimeout(timer);
    process.exit(0);
  });
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
