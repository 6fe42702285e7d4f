// Shared by the socket tests: whether the ring can run here (the loader's
// reason otherwise), and a client that sends bytes and collects the echo.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { loadUring } from '../src/index.js';

export const availability = loadUring();
/** Why the socket tests are skipped, or null when they run. */
export const skipReason = availability.available ? null : availability.reason;
if (skipReason) process.stderr.write(`@iomodels/uring socket tests skipped: ${skipReason}\n`);

export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `payload` in random chunks and resolves with the echo, once as long. */
export function echoThrough(socket: net.Socket, payload: Buffer, maxChunk = 4096): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received >= payload.length) resolve(Buffer.concat(chunks));
    });
    socket.once('error', reject);
    let at = 0;
    const seed = randomBytes(4096);
    let i = 0;
    while (at < payload.length) {
      const n = 1 + ((seed[i++ % seed.length]! * 17) % maxChunk);
      socket.write(payload.subarray(at, at + n));
      at += n;
    }
  });
}

/** Resolves when `predicate` holds, polling every 10 ms, or rejects after `ms`. */
export async function until(predicate: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
