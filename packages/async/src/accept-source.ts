// Where an acceptor's connections come from: a `net.Server` (libuv's
// readiness loop) or a listening descriptor accepting through io_uring
// (`uring-accept-source.ts`). The acceptor queues and hands them out the same way.
import type net from 'node:net';
import type { Address, BoundListener } from '@iomodels/contract';
import { type AcceptedHandle, acceptHandles } from '@iomodels/fd';
import { AsyncSocket } from './async-socket.js';
import type { SocketSettings } from './socket-settings.js';

/** One connection that arrived and no accept has taken yet. */
export interface Arrival {
  /** Takes it over as an AsyncSocket. */
  take(): AsyncSocket;
  /** Refuses it (backlog full, acceptor closed): reset, descriptor closed. */
  refuse(): void;
}

/** @internal A listening socket, seen by an `AsyncAcceptor`. */
export interface AcceptSource {
  readonly address: Address;
  /** Starts delivering connections to `arrived`. */
  start(arrived: (arrival: Arrival) => void): void;
  /** Stops listening. */
  close(): Promise<void>;
}

/**
 * A `net.Server` created with `pauseOnConnect` (libuv reads nothing before
 * a socket is taken over) as an accept source: each connection goes
 * straight on its libuv handle where the runtime allows, taken from the
 * listening handle with no net.Socket made for it.
 */
export function netAcceptSource(
  server: net.Server,
  settings: SocketSettings,
  bound: BoundListener,
): AcceptSource {
  return {
    get address() {
      return bound.address;
    },
    start(arrived) {
      const arrival = (socket: net.Socket | AcceptedHandle): void =>
        arrived({
          take: () => new AsyncSocket(socket, settings, 'handle'),
          refuse: () => socket.destroy(),
        });
      server.on('connection', (socket: net.Socket) => {
        socket.on('error', () => {}); // until its AsyncSocket listens
        arrival(socket);
      });
      acceptHandles(server, arrival);
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        // A Unix socket file goes with the listening socket, not with the last connection.
        bound.release();
      });
    },
  };
}
