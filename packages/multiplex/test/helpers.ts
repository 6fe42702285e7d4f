// Small socket helpers for this package's socket-level tests.
import net from 'node:net';

/** Connects to 127.0.0.1:port; resolves once connected. */
export function connectClient(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the socket receives until it closes, and how it closed. */
export function readAll(socket: net.Socket): Promise<{ data: Buffer; error?: Error }> {
  const chunks: Buffer[] = [];
  let error: Error | undefined;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', (e) => {
    error = e;
  });
  return new Promise((resolve) => {
    socket.once('close', () => resolve({ data: Buffer.concat(chunks), error }));
  });
}

/** Resolves when `predicate()` holds, checking on every turn of the loop. */
export async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setImmediate(resolve));
}
