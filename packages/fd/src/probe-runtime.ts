// The end-to-end capability check a server runs before it listens: one
// loopback connection exercises every internal the package uses.
import fs from 'node:fs';
import net from 'node:net';
import { descriptorOf, setBlocking } from './descriptor.js';
import { tryRead, WOULD_BLOCK } from './descriptor-io.js';
import { checkRuntime, unsupported } from './runtime-check.js';

let probed: Promise<void> | undefined;

/**
 * Connects to itself over loopback with `pauseOnConnect` and checks the
 * descriptor, `O_NONBLOCK` both ways and `EAGAIN` as a value. Rejects with
 * `UnsupportedRuntimeError` naming what is missing. Runs once per process.
 */
export function probeRuntime(): Promise<void> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<void> {
  checkRuntime();
  const server = net.createServer({ pauseOnConnect: true });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // exclusive: in a node:cluster worker a shared listen(0) gets the
      // same port in every worker, and the primary hands each connection to
      // any of them: a worker's probe would accept another's connection
      // (and wait for its own forever, or misread it as an unsupported
      // runtime) when several workers start at once (`--workers N`).
      server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, resolve);
    });
    const { port } = server.address() as net.AddressInfo;
    const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    const socket = await accepted;
    try {
      const fd = descriptorOf(socket);
      if (!fs.fstatSync(fd).isSocket()) throw unsupported('socket._handle.fd (not a socket)');
      if (tryRead(fd, Buffer.alloc(1)) !== WOULD_BLOCK) {
        throw unsupported('EAGAIN from fs.readSync on a non-blocking socket');
      }
      setBlocking(socket, true);
      setBlocking(socket, false);
    } finally {
      socket.destroy();
      client.destroy();
    }
  } finally {
    server.close();
  }
}
