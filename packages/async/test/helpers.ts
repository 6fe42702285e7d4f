// Socket pairs over 127.0.0.1 for the socket-level tests.
import net from 'node:net';
import { loadUring } from '@iomodels/uring';
import { type AsyncSocket, Proactor } from '../src/index.js';

export interface Pair {
  proactor: Proactor;
  /** The proactor end. */
  socket: AsyncSocket;
  /** The plain Node end, driven by the test. */
  peer: net.Socket;
  close(): Promise<void>;
}

/** An accepted proactor socket (native: straight on its libuv handle, where the runtime allows) and a plain client socket. */
export async function acceptedPair(
  options: ConstructorParameters<typeof Proactor>[0] = {},
): Promise<Pair> {
  const proactor = new Proactor(options);
  const acceptor = await proactor.listen({ port: 0 });
  const accepted = proactor.accept(acceptor);
  const peer = net.connect({ host: '127.0.0.1', port: acceptor.address.port });
  peer.on('error', () => {});
  const socket = await accepted;
  return {
    proactor,
    socket,
    peer,
    async close() {
      peer.destroy();
      await proactor.close();
    },
  };
}

/** A plain `net.Server` on 127.0.0.1, port 0, and its first accepted socket. */
async function plainServer(): Promise<{
  server: net.Server;
  port: number;
  accepted: Promise<net.Socket>;
}> {
  const server = net.createServer({ allowHalfOpen: true });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { server, port, accepted };
}

/** The pair, closed with its plain server. */
function pairWithServer(
  proactor: Proactor,
  socket: AsyncSocket,
  peer: net.Socket,
  server: net.Server,
): Pair {
  peer.on('error', () => {});
  return {
    proactor,
    socket,
    peer,
    async close() {
      peer.destroy();
      await proactor.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A socket a plain `net.Server` accepted, adopted (emulated: the public net.Socket API), and a plain client socket. */
export async function adoptedPair(
  options: ConstructorParameters<typeof Proactor>[0] = {},
): Promise<Pair> {
  const proactor = new Proactor(options);
  const { server, port, accepted } = await plainServer();
  const peer = net.connect({ host: '127.0.0.1', port });
  peer.on('error', () => {});
  const socket = proactor.adopt(await accepted);
  return pairWithServer(proactor, socket, peer, server);
}

/** A connected proactor socket (native: taken over in 'connect') and a plain server-side socket. */
export async function connectedPair(
  options: ConstructorParameters<typeof Proactor>[0] = {},
): Promise<Pair> {
  const proactor = new Proactor(options);
  const { server, port, accepted } = await plainServer();
  const socket = await proactor.connect({ host: '127.0.0.1', port });
  return pairWithServer(proactor, socket, await accepted, server);
}

/** An accepted proactor socket on the io_uring backend (`backend: 'uring'`), and a plain client socket. */
export function uringPair(options: ConstructorParameters<typeof Proactor>[0] = {}): Promise<Pair> {
  return acceptedPair({ ...options, backend: 'uring' });
}

/** Why the io_uring backend cannot run here (its cases are then left out), or null. */
const uringLoad = loadUring();
export const uringSkipReason = uringLoad.available ? null : uringLoad.reason;

/** Every kind, for tests that must hold on every read path (io_uring where it runs). */
export const pairKinds: ReadonlyArray<readonly [string, typeof acceptedPair]> = [
  ['accepted (native)', acceptedPair],
  ['adopted (emulated)', adoptedPair],
  ['connected (native)', connectedPair],
  ...(uringSkipReason === null ? [['accepted (uring)', uringPair] as const] : []),
];

/** Reads everything the peer receives until it ends. */
export function collect(peer: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    peer.on('data', (chunk: Buffer) => chunks.push(chunk));
    peer.on('end', () => resolve(Buffer.concat(chunks)));
    peer.on('error', reject);
  });
}

/** Writes `data` to the peer in pieces of `size` bytes, one event-loop turn apart. */
export async function writeInPieces(
  peer: net.Socket,
  data: Uint8Array,
  size: number,
): Promise<void> {
  for (let at = 0; at < data.length; at += size) {
    await new Promise<void>((resolve) => peer.write(data.subarray(at, at + size), () => resolve()));
  }
}

/** Listens on `proactor`, accepts one connection, echoes one message, closes; `readPath:echo`. */
export async function echoOnce(proactor: Proactor): Promise<string> {
  try {
    const acceptor = await proactor.listen({ port: 0 });
    const accepted = proactor.accept(acceptor);
    const peer = net.connect({ host: '127.0.0.1', port: acceptor.address.port });
    const socket = await accepted;
    peer.write('ping');
    await socket.write(await socket.receive());
    const back = await new Promise<Buffer>((resolve) => peer.once('data', resolve));
    peer.destroy();
    return `${socket.readPath}:${back.toString()}`;
  } finally {
    await proactor.close();
  }
}
