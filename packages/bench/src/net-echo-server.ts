#!/usr/bin/env node
// The baseline: the echo server a Node user would write with plain `net`,
// socket.pipe(socket). Same flags and listening line as the model bins.
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

const server = net.createServer((socket) => {
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.listen({ host, port, backlog }, () => {
  const address = server.address() as net.AddressInfo;
  process.stdout.write(`listening on ${address.address}:${address.port} (net/pipe)\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
