import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeWithLinger } from './close-with-linger.js';

/** A loopback pair: the server side as accepted, the peer with half-open allowed. */
async function pair(): Promise<{ server: net.Socket; peer: net.Socket; close: () => void }> {
  const listener = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const peer = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const server = await accepted;
  return { server, peer, close: () => listener.close() };
}

/** How the peer saw the connection end: its FIN came (`eof`) or a reset (`reset`). */
function peerEnd(peer: net.Socket): Promise<'eof' | 'reset'> {
  return new Promise((resolve) => {
    peer.on('error', () => resolve('reset'));
    peer.on('end', () => resolve('eof'));
    peer.resume();
  });
}

describe('closeWithLinger', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  it('sends FIN after the output and releases the socket once the peer answers FIN', async () => {
    const { server, peer, close } = await pair();
    cleanups.push(close, () => peer.destroy());
    const received: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => peer.once('end', resolve));
    server.write('last words');
    closeWithLinger(server, 60_000);
    await ended;
    expect(Buffer.concat(received).toString()).toBe('last words');
    peer.write('late bytes are read and dropped');
    peer.end();
    await new Promise((resolve) => server.once('close', resolve));
  });

  it("drops unread input, also from a paused reader, and sees the peer's FIN behind it", async () => {
    const { server, peer, close } = await pair();
    cleanups.push(close, () => peer.destroy());
    // A reader in paused mode, like SocketConnection, that read nothing.
    server.on('readable', () => {});
    peer.write('x'.repeat(256 * 1024));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const end = peerEnd(peer);
    closeWithLinger(server, 60_000);
    expect(await end).toBe('eof');
    peer.end();
    await new Promise((resolve) => server.once('close', resolve));
  });

  it('resets a peer that ignores our FIN after lingerTimeout', async () => {
    const { server, peer, close } = await pair();
    cleanups.push(close, () => peer.destroy());
    const end = peerEnd(peer);
    closeWithLinger(server, 100);
    // The peer sees our FIN, but never sends its own.
    expect(await end).toBe('eof');
    await new Promise((resolve) => server.once('close', resolve));
    // Our side reset: the peer's next write fails instead of being read.
    const failed = new Promise<string>((resolve) => {
      peer.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''));
    });
    const poke = setInterval(() => peer.write('anyone?'), 20);
    cleanups.push(() => clearInterval(poke));
    expect(['ECONNRESET', 'EPIPE']).toContain(await failed);
  });
});
