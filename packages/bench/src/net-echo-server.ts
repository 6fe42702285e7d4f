#!/usr/bin/env node
// The baseline: the echo server a Node user would write with plain `net`,
// socket.pipe(socket). Same flags and listening line as the model bins:
// `--host`/`--port`, or `--listen unix:PATH` for a Unix socket file.
import net from 'node:net';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
};
const host = flag('host', '127.0.0.1');
const port = Number(flag('port', '0'));
// The bench passes --backlog 4096 to every server (server-catalog.ts).
const backlog = Number(flag('backlog', '4096'));
// Only the one endpoint the bench uses besides TCP; the model bins parse the full syntax.
const listen = flag('listen', '');
if (listen && !listen.startsWith('unix:')) {
  process.stderr.write(`net-echo-server: --listen takes unix:PATH only, got ${listen}\n`);
  process.exit(2);
}
const path = listen.slice('unix:'.length);

const server = net.createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen(path ? { path, backlog } : { host, port, backlog }, () => {
  const address = server.address();
  const where =
    typeof address === 'string'
      ? `unix:${address}`
      : `${(address as net.AddressInfo).address}:${(address as net.AddressInfo).port}`;
  process.stdout.write(`listening on ${where} (net/pipe)\n`);
});
// close() also removes the socket file, as the model bins do.
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
