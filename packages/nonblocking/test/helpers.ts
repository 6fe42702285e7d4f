// Socket pairs and small waits for the socket-level tests (127.0.0.1, port 0).
import net from 'node:net';
import { type AcceptedHandle, acceptHandles } from '@iomodels/fd';
import { NonBlockingSocket, WOULD_BLOCK, type WouldBlock } from '../src/index.js';

export interface Pair {
  /** The server end: accepted with `pauseOnConnect`, wrapped. */
  socket: NonBlockingSocket;
  /** The plain Node end, driven by the test. */
  peer: net.Socket;
  close(): Promise<void>;
}

/** A NonBlockingSocket accepted over loopback, and a plain client socket. */
export async function acceptedPair(options: { bare?: boolean } = {}): Promise<Pair> {
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Bare: accepted below net.Socket, as PollingTCPServer accepts (its libuv handle only).
  const accepted = new Promise<net.Socket | AcceptedHandle>((resolve) =>
    options.bare ? acceptHandles(server, resolve) : server.once('connection', resolve),
  );
  const { port } = server.address() as net.AddressInfo;
  const peer = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  peer.on('error', () => {});
  const socket = new NonBlockingSocket(await accepted);
  return {
    socket,
    peer,
    async close() {
      socket.close();
      peer.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `socket.recv()` retried, a tick apart (at most 5,000 tries), until it answers more than WOULD_BLOCK. */
export async function recvArrived(socket: NonBlockingSocket): Promise<Uint8Array | WouldBlock> {
  let data = socket.recv();
  for (let i = 0; data === WOULD_BLOCK && i < 5000; i++) {
    await tick();
    data = socket.recv();
  }
  return data;
}

/** One event-loop turn with a short sleep: what a polling caller does between tries. */
export function tick(ms = 1): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads from `peer` slowly: one chunk, then a pause of `ms`, until it ends. */
export function readSlowly(peer: net.Socket, ms = 2): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    peer.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      peer.pause();
      setTimeout(() => peer.resume(), ms);
    });
    peer.on('end', () => resolve(Buffer.concat(chunks)));
    peer.on('error', reject);
    peer.resume(); // a 'data' listener alone does not restart a paused stream
  });
}
