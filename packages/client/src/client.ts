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
  type Sendable,
  SocketConnection,
  toConnectError,
} from '@iomodels/contract';

/** Where to connect and how long to wait. */
export interface ConnectOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 8009, the seed's. */
  port?: number;
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

  /** Use {@link connect}. */
  constructor(socket: net.Socket, timeout: number) {
    this.#socket = socket;
    this.#timeout = timeout;
    this.#connection = new SocketConnection(socket, DEFAULT_LIMITS);
    this.remote = this.#connection.remote;
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

  /** Reset the connection (RST) instead of closing it. */
  abort(): void {
    this.#socket.resetAndDestroy();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Opens a connection; rejects with `ConnectionRefusedError` or `ConnectionTimeoutError`. */
export function connect(options: ConnectOptions = {}): Promise<Client> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const timeout = options.timeout ?? DEFAULT_TIMEOUT;
  const where = formatHostPort(host, port);
  return new Promise((resolve, reject) => {
    const secure = options.tls === true ? {} : options.tls || undefined;
    // SNI only for a name: an IP address as servername is refused by the spec (RFC 6066).
    const socket = secure
      ? tls.connect({ ...(isIP(host) ? {} : { servername: host }), ...secure, host, port })
      : net.connect({ host, port });
    socket.setNoDelay(true);
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
      resolve(new Client(socket, timeout));
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(toConnectError(error, { host, port }));
    };
    socket.once('error', onError);
  });
}
