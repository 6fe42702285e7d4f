// Small in-process servers for the load generators' tests: a plain echo,
// one that dribbles replies back in tiny pieces, one that flips a byte.
import net from 'node:net';
import type { Target } from '../src/load-generator.js';

const servers: Array<{ server: net.Server; sockets: net.Socket[] }> = [];

/** Listens on 127.0.0.1, port 0; `onConnection` also gets every socket accepted so far. */
export async function serve(
  onConnection: (socket: net.Socket, all: net.Socket[]) => void,
): Promise<Target> {
  const all: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    all.push(socket);
    onConnection(socket, all);
  });
  servers.push({ server, sockets: all });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
}

/** Closes every server `serve` started (for afterEach). */
export async function closeServers(): Promise<void> {
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

export const echo = (socket: net.Socket) => socket.pipe(socket);

/** Echoes every chunk back in pieces of 1..7 bytes, each a separate write a tick apart. */
export function dribble(socket: net.Socket) {
  socket.on('data', (data: Buffer) => {
    socket.pause();
    let at = 0;
    const step = () => {
      if (at >= data.length) return socket.resume();
      const n = 1 + Math.floor(Math.random() * 7);
      socket.write(data.subarray(at, at + n));
      at += n;
      setImmediate(step);
    };
    step();
  });
  socket.on('end', () => socket.end());
}

/** Echoes, but with `mutate` applied to the byte stream at absolute offset `at`. */
export function corruptAt(at: number, mutate: (byte: number) => number) {
  return (socket: net.Socket) => {
    let seen = 0;
    socket.on('data', (data: Buffer) => {
      const copy = Buffer.from(data);
      if (at >= seen && at < seen + copy.length) copy[at - seen] = mutate(copy[at - seen]!);
      seen += copy.length;
      socket.write(copy);
    });
    socket.on('end', () => socket.end());
  };
}
