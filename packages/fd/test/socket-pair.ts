// A connected loopback pair whose server side is taken with pauseOnConnect,
// as the models take it; the helper every fd test starts from. Over TCP (a
// libuv `TCP` handle) or a Unix socket (a `Pipe` handle): fd serves both.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The stream transports fd accepts; every descriptor-level test runs on both. */
export const TRANSPORTS = ['tcp', 'unix'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface SocketPair {
  /** The accepted socket: libuv is not reading it. */
  server: net.Socket;
  /** The client end, an ordinary net.Socket. */
  client: net.Socket;
  close(): void;
}

export async function socketPair(transport: Transport = 'tcp'): Promise<SocketPair> {
  const listener = net.createServer({ pauseOnConnect: true });
  const { dir, file } = await listenOn(listener, transport);
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = await connectTo(listener, transport, file);
  const server = await accepted;
  server.on('error', () => {});
  listener.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  return {
    server,
    client,
    close() {
      client.destroy();
      server.destroy();
    },
  };
}

/** Listens on loopback port 0, or on a socket file in a fresh folder (`dir`, '' for TCP). */
export async function listenOn(
  listener: net.Server,
  transport: Transport,
): Promise<{ dir: string; file: string }> {
  const dir = transport === 'unix' ? fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-fd-')) : '';
  const file = path.join(dir, 's.sock');
  await new Promise<void>((resolve) =>
    transport === 'unix'
      ? listener.listen(file, resolve)
      : listener.listen(0, '127.0.0.1', resolve),
  );
  return { dir, file };
}

/** A half-open-allowed client of `listener` (on `file` for a Unix socket), once connected. */
export async function connectTo(
  listener: net.Server,
  transport: Transport,
  file: string,
): Promise<net.Socket> {
  const client =
    transport === 'unix'
      ? net.connect({ path: file, allowHalfOpen: true })
      : net.connect({
          port: (listener.address() as net.AddressInfo).port,
          host: '127.0.0.1',
          allowHalfOpen: true,
        });
  client.on('error', () => {});
  await new Promise((resolve) => client.once('connect', resolve));
  return client;
}

/** Waits until `predicate` holds, checking every few ms, at most `tries` times. */
export async function eventually(predicate: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}
