// A connected loopback pair whose server side is taken with pauseOnConnect,
// as the models take it; the helper every fd test starts from.
import net from 'node:net';

export interface SocketPair {
  /** The accepted socket: libuv is not reading it. */
  server: net.Socket;
  /** The client end, an ordinary net.Socket. */
  client: net.Socket;
  close(): void;
}

export async function socketPair(): Promise<SocketPair> {
  const listener = net.createServer({ pauseOnConnect: true });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  client.on('error', () => {});
  await new Promise((resolve) => client.once('connect', resolve));
  const server = await accepted;
  server.on('error', () => {});
  listener.close();
  return {
    server,
    client,
    close() {
      client.destroy();
      server.destroy();
    },
  };
}

/** Waits until `predicate` holds, checking every few ms, at most `tries` times. */
export async function eventually(predicate: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not reached');
}
