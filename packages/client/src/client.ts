// The client SDK: Python's socket calls (recv, sendall) plus request/lines,
// with refused / reset / timed out as distinct errors.
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import {
  type Address,
  ConnectionTimeoutError,
  DEFAULT_LIMITS,
  DEFAULT_PORT,
  DEFAULT_RECV_SIZE,
  formatAddress,
  formatHostPort,
  parseClientEndpoint,
  resetSocket,
  type Sendable,
  SocketConnection,
  toConnectError,
  UsageError,
  unixAddress,
} from '@iomodels/contract';

/** Where to connect and how long to wait. */
export interface ConnectOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 8009, the seed's. */
  port?: number;
  /** A Unix socket file to connect to, in place of `host`/`port`. */
  path?: string;
  /**
   * Milliseconds to wait for the connection and for each `recv` (Python's
   * `settimeout`; the seed uses 5 s). Default 5,000; 0 = wait forever.
   */
  timeout?: number;
  /**
   * Speak TLS: `true` verifies the server against the system's CAs; an
   * object is `tls.connect`'s options (e.g. `{ ca }` for a private CA).
   * Default: plain TCP.
   */
  tls?: boolean | tls.ConnectionOptions;
}

export const DEFAULT_TIMEOUT = 5_000;

/** An open connection to an iomodels (or any TCP) server. */
export class Client implements AsyncDisposable {
  readonly remote: Address;
  readonly local: Address;
  readonly #socket: net.Socket;
  readonly #connection: SocketConnection;
  readonly #timeout: number;

  /** Use {@link connect}. `path`: the Unix socket file connected to, which the socket cannot tell. */
  constructor(socket: net.Socket, timeout: number, path?: string) {
    this.#socket = socket;
    this.#timeout = timeout;
    this.#connection = new SocketConnection(socket, DEFAULT_LIMITS);
    this.remote = path === undefined ? this.#connection.remote : unixAddress(path);
    this.local = this.#connection.local;
  }

  /** Up to `maxBytes` bytes as soon as any arrive; empty when the server closed. */
  async recv(maxBytes = DEFAULT_RECV_SIZE): Promise<Uint8Array> {
    const signal = this.#timeout > 0 ? AbortSignal.timeout(this.#timeout) : undefined;
    try {
      return await this.#connection.recv(maxBytes, signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) {
        throw new ConnectionTimeoutError(
          `no data from ${formatAddress(this.remote)} within ${this.#timeout} ms`,
        );
      }
      throw error;
    }
  }

  /** Sends every byte (text as UTF-8) or throws. */
  async sendall(data: Sendable): Promise<void> {
    await this.#connection.sendall(data);
  }

  /** Sends a message and waits for the reply: the next chunk, decoded as UTF-8 (the seed's dialogue). */
  async request(message: Sendable): Promise<string> {
    await this.sendall(message);
    return new TextDecoder().decode(await this.recv());
  }

  /** Every newline-terminated line the server sends, decoded, until it closes. */
  async *lines(): AsyncGenerator<string, void, undefined> {
    const decoder = new TextDecoder();
    let pending = '';
    for (;;) {
      const chunk = await this.recv();
      if (chunk.length === 0) break;
      pending += decoder.decode(chunk, { stream: true });
      let newline = pending.indexOf('\n');
      while (newline !== -1) {
        yield pending.slice(0, newline).replace(/\r$/, '');
        pending = pending.slice(newline + 1);
        newline = pending.indexOf('\n');
      }
    }
    pending += decoder.decode();
    if (pending !== '') yield pending;
  }

  /** Half-close: send FIN, keep reading. */
  shutdownWrite(): void {
    this.#connection.shutdownWrite();
  }

  /** Flush, send FIN and let the socket go. */
  async close(): Promise<void> {
    await this.#connection.close();
  }

  /** Reset the connection (RST) instead of closing it; a Unix socket has no RST and is just closed. */
  abort(): void {
    resetSocket(this.#socket);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Opens a connection to `host`/`port`, to a Unix socket `path`, or to an
 * endpoint string (`tcp:HOST:PORT`, `unix:PATH`); rejects with
 * `ConnectionRefusedError` or `ConnectionTimeoutError`.
 */
export function connect(target: ConnectOptions | string = {}): Promise<Client> {
  let options: ConnectOptions;
  try {
    options = typeof target === 'string' ? endpointOptions(target) : target;
  } catch (error) {
    return Promise.reject(error);
  }
  const { path } = options;
  if (path !== undefined && (options.host !== undefined || options.port !== undefined)) {
    return Promise.reject(new UsageError('give either path or host/port, not both'));
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const destination = path === undefined ? { host, port } : unixAddress(path);
  const where = path === undefined ? formatHostPort(host, port) : `unix:${path}`;
  return new Promise((resolve, reject) => {
    const secure = options.tls === true ? {} : options.tls || undefined;
    const target = path === undefined ? { host, port } : { path };
    // SNI only for a name: an IP address as servername is refused by the spec (RFC 6066).
    const sni = path === undefined && !isIP(host) ? { servername: host } : {};
    const socket = secure ? tls.connect({ ...sni, ...secure, ...target }) : net.connect(target);
    if (path === undefined) socket.setNoDelay(true);
    const timer =
      timeout > 0
        ? setTimeout(() => {
            socket.destroy();
            reject(
              new ConnectionTimeoutError(`connecting to ${where} timed out after ${timeout} ms`),
            );
          }, timeout)
        : undefined;
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(new Client(socket, timeout, path));
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(toConnectError(error, destination));
    };
    socket.once('error', onError);
  });
}

/** The connect options of a client endpoint string; `udp:` is not a stream. */
function endpointOptions(text: string): ConnectOptions {
  const endpoint = parseClientEndpoint(text);
  if (endpoint.kind === 'unix') return { path: endpoint.path };
  if (endpoint.kind === 'udp')
    throw new UsageError(`${text}: connect opens a stream; udp is not one`);
  return { host: endpoint.host, port: endpoint.port };
}
