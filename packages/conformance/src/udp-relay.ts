// A UDP relay between clients and a server that loses replies on purpose:
// the one honest way to lose a datagram on loopback, for any server.
import dgram from 'node:dgram';

/** A running relay: where clients send, and what it dropped. */
export interface LossyRelay {
  readonly port: number;
  /** Replies dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

/**
 * Listens on `127.0.0.1:0`, forwards each client's datagrams to
 * `127.0.0.1:serverPort` from a socket of that client's own (so the server
 * sees distinct addresses), and relays the replies back, dropping the first
 * `dropReplies` of them.
 */
export async function startLossyRelay(
  serverPort: number,
  dropReplies: number,
): Promise<LossyRelay> {
  const front = dgram.createSocket('udp4');
  const upstreams = new Map<string, dgram.Socket>();
  let dropped = 0;
  front.on('message', (data, client) => {
    const key = `${client.address}:${client.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (reply) => {
        if (dropped < dropReplies) dropped++;
        else front.send(reply, client.port, client.address);
      });
      socket.on('error', () => {});
      upstreams.set(key, socket);
      upstream = socket;
    }
    upstream.send(data, serverPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  return {
    port: front.address().port,
    get dropped() {
      return dropped;
    },
    close: async () => {
      const sockets = [front, ...upstreams.values()];
      await Promise.all(
        sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}
