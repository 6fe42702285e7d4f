// The suite proven able to fail: servers broken on purpose fail exactly the
// tests that cover what is broken (`it.fails` passes only when the test fails).
import type net from 'node:net';
import {
  type Connection,
  type Limits,
  type RequestContext,
  type RequestTask,
  type Sendable,
  type ShutdownReport,
  SocketConnection,
  toBytes,
} from '@iomodels/contract';
import { CONFORMANCE_TESTS, describeConformance, ReferenceTCPServer } from '../src/index.js';

/** Flips one bit in every large send: small dialogues pass, bulk data does not. */
class CorruptingServer extends ReferenceTCPServer {
  protected override createConnection(socket: net.Socket, limits: Limits): Connection {
    const inner = new SocketConnection(socket, limits, { idleTimeout: this.options.idleTimeout });
    return Object.assign(Object.create(inner) as SocketConnection, {
      recv: (max?: number) => inner.recv(max),
      close: () => inner.close(),
      shutdownWrite: () => inner.shutdownWrite(),
      sendall: (data: Sendable) => {
        const copy = Uint8Array.from(toBytes(data));
        if (copy.length > 1000) copy[500]! ^= 1;
        return inner.sendall(copy);
      },
    });
  }
}

/** Swallows handler errors instead of reporting them to handleError. */
class ForgetfulServer extends ReferenceTCPServer {
  protected override processRequest(socket: net.Socket, context: RequestContext): RequestTask {
    return super.processRequest(socket, { ...context, onError: () => {} });
  }
}

/** Idle connections end as end of stream (Node's `setTimeout` + `end`), not as the contract's IdleTimeoutError. */
class LaxIdleServer extends ReferenceTCPServer {
  protected override createConnection(socket: net.Socket, limits: Limits): Connection {
    const idle = this.options.idleTimeout ?? 0;
    if (idle > 0) socket.setTimeout(idle, () => socket.end());
    return new SocketConnection(socket, limits);
  }
}

/** Claims to have shut down at once, without waiting for open requests. */
class ImpatientServer extends ReferenceTCPServer {
  override close(): Promise<ShutdownReport> {
    void super.close({ timeout: 60_000 });
    return Promise.resolve({ completed: 0, interrupted: 0, aborted: 0, abandoned: 0 });
  }
}

function target(ServerClass: typeof ReferenceTCPServer, expectFailures: string[]) {
  return {
    async start(...args: ConstructorParameters<typeof ReferenceTCPServer>) {
      const server = new ServerClass(...args);
      await server.listen();
      return server;
    },
    expectFailures,
  };
}

describeConformance(
  'broken: corrupts bulk data',
  target(CorruptingServer, [CONFORMANCE_TESTS.bulkEcho]),
);
describeConformance(
  'broken: never reports handler errors',
  target(ForgetfulServer, [CONFORMANCE_TESTS.throwing]),
);
describeConformance(
  'broken: does not wait on shutdown',
  target(ImpatientServer, [
    CONFORMANCE_TESTS.graceful,
    CONFORMANCE_TESTS.closeSilent,
    CONFORMANCE_TESTS.shutdownSignal,
  ]),
);
describeConformance(
  'broken: idle connections end as end of stream',
  target(LaxIdleServer, [CONFORMANCE_TESTS.idleTimeout]),
);
