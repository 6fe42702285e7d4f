// The smallest server that honours the contract: Node streams through the
// contract's SocketConnection. The suite is proven on it; it is no IO model.
import type net from 'node:net';
import {
  BaseServer,
  type Connection,
  type Limits,
  type ModelDescription,
  type ProxyByteSource,
  type RequestContext,
  type RequestTask,
  resetSocket,
  SocketConnection,
} from '@iomodels/contract';

/** Reference server for the conformance suite's own tests. */
export class ReferenceTCPServer extends BaseServer {
  readonly model = 'reference';
  readonly mode = 'stream';

  protected processRequest(socket: net.Socket, context: RequestContext): RequestTask {
    const connection = this.createConnection(socket, this.limits);
    return {
      done: this.runHandler(connection, context),
      closeWrite: () => socket.end(),
      abort: () => resetSocket(socket),
    };
  }

  /**
   * A stream-keeping model reads the PROXY header from its stream: `read(n)`
   * takes exactly n bytes and leaves the rest buffered for SocketConnection.
   */
  protected override proxyByteSource(socket: net.Socket): ProxyByteSource {
    return (buffer, offset, length) => {
      const chunk: Buffer | null = socket.read(length);
      if (chunk === null) return socket.readableEnded ? 0 : null;
      buffer.set(chunk, offset);
      return chunk.length;
    };
  }

  /** The connection handed to handlers; tests override it to build broken servers. */
  protected createConnection(socket: net.Socket, limits: Limits): Connection {
    return new SocketConnection(socket, limits, { idleTimeout: this.options.idleTimeout });
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'Node net.Socket streams over libuv',
      completion: 'none',
      concurrency: 'one event loop',
      notes: ['the conformance suite reference, not an IO model'],
    };
  }
}
