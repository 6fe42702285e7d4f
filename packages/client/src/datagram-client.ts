// The client SDK over UDP: one datagram out, one back, with a reply timeout
// and a bounded number of retries — a datagram or its reply may be lost, and
// only the client can notice.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import {
  type Address,
  ConnectionClosedError,
  ConnectionTimeoutError,
  DEFAULT_PORT,
  formatHostPort,
  fromAddressInfo,
  parseClientEndpoint,
  ReadInProgressError,
  type Sendable,
  toBytes,
  toConnectError,
  UsageError,
} from '@iomodels/contract';

/** Where to send and how long to wait. */
export interface DatagramClientOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 8009, the seed's. */
  port?: number;
  /** Milliseconds to wait for a reply to each try. Default 1,000. */
  timeout?: number;
  /** Tries after the first when no reply came within `timeout`. Default 3 (4 tries in all). */
  retries?: number;
}

/** Per-try reply wait: a loopback or LAN reply takes well under a millisecond; 1 s covers a loaded host. */
export const DEFAULT_DATAGRAM_TIMEOUT = 1_000;
/** Retries after the first try: three losses in a row is a dead server, not bad luck (DNS resolvers retry as often). */
export const DEFAULT_DATAGRAM_RETRIES = 3;

/**
 * A UDP socket connected (`connect(2)`) to one server: only its datagrams
 * are delivered, and a port with nothing behind it is reported
 * (`ConnectionRefusedError`, from the ICMP port-unreachable).
 */
export class DatagramClient implements AsyncDisposable {
  readonly remote: Address;
  readonly local: Address;
  readonly timeout: number;
  readonly retries: number;
  readonly #socket: dgram.Socket;
  #waiting: ((reply: Uint8Array | Error) => void) | undefined;
  #error: Error | undefined;
  #closed = false;
  #busy = false;

  /** Use {@link connectDatagram}. */
  constructor(socket: dgram.Socket, options: Required<DatagramClientOptions>) {
    this.#socket = socket;
    this.timeout = options.timeout;
    this.retries = options.retries;
    this.remote = fromAddressInfo(socket.remoteAddress());
    this.local = fromAddressInfo(socket.address());
    socket.on('message', (data: Buffer) => {
      // A reply with no request waiting is a late duplicate of one already
      // answered (its request was retried): dropped, it answers nothing now.
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting?.(new Uint8Array(data.buffer, data.byteOffset, data.length));
    });
    socket.on('error', (error) => {
      const mapped = toConnectError(error, { host: this.remote.host, port: this.remote.port });
      const waiting = this.#waiting;
      this.#waiting = undefined;
      if (waiting) waiting(mapped);
      else this.#error = mapped;
    });
  }

  /**
   * Sends `data` as one datagram and resolves with the reply datagram. With
   * no reply within `timeout` it sends again, up to `retries` times, then
   * rejects with `ConnectionTimeoutError`. One request at a time: the
   * protocol has no request ids, so a second pending one could take the
   * first one's reply (`ReadInProgressError`).
   */
  async request(data: Sendable): Promise<Uint8Array> {
    if (this.#busy) throw new ReadInProgressError('a datagram request is already pending');
    this.#busy = true;
    const bytes = toBytes(data);
    try {
      for (let attempt = 0; attempt <= this.retries; attempt++) {
        const reply = this.#nextReply();
        // If the send fails, the wait is abandoned: its later outcome must not go unhandled.
        reply.catch(() => {});
        await this.send(bytes);
        const answer = await reply;
        if (answer !== undefined) return answer;
      }
    } finally {
      this.#busy = false;
    }
    const tries = this.retries + 1;
    throw new ConnectionTimeoutError(
      `no reply from ${formatHostPort(this.remote.host, this.remote.port)} after ${tries} ${tries === 1 ? 'try' : 'tries'} of ${this.timeout} ms`,
    );
  }

  /** Sends one datagram and waits for no reply (e.g. the IVR's `exit`). */
  send(data: Sendable): Promise<void> {
    this.#throwPending();
    return new Promise((resolve, reject) => {
      this.#socket.send(toBytes(data), (error) =>
        error
          ? reject(toConnectError(error, { host: this.remote.host, port: this.remote.port }))
          : resolve(),
      );
    });
  }

  /** Closes the socket; a pending request rejects. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting?.(new ConnectionClosedError('the client was closed'));
    this.#waiting = undefined;
    await new Promise<void>((resolve) => this.#socket.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The next datagram, or undefined after `timeout`; rejects with a socket error. */
  #nextReply(): Promise<Uint8Array | undefined> {
    this.#throwPending();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting = undefined;
        resolve(undefined);
      }, this.timeout);
      this.#waiting = (reply) => {
        clearTimeout(timer);
        if (reply instanceof Error) reject(reply);
        else resolve(reply);
      };
    });
  }

  /** A socket error that came while nothing waited (an ICMP unreachable, say) fails the next call. */
  #throwPending(): void {
    const error = this.#error;
    this.#error = undefined;
    if (error) throw error;
  }
}

/**
 * Opens a UDP client to `host`/`port` or to an endpoint string
 * (`udp:HOST:PORT`). Nothing is sent yet: UDP has no handshake, so a server
 * that is not there shows only at the first request.
 */
export async function connectDatagram(
  target: DatagramClientOptions | string = {},
): Promise<DatagramClient> {
  const options = typeof target === 'string' ? endpointOptions(target) : target;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PORT;
  const timeout = options.timeout ?? DEFAULT_DATAGRAM_TIMEOUT;
  const retries = options.retries ?? DEFAULT_DATAGRAM_RETRIES;
  if (!(timeout > 0) || !Number.isInteger(retries) || retries < 0) {
    throw new UsageError(
      `timeout must be positive and retries a whole number, got ${timeout}, ${retries}`,
    );
  }
  const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => {
      socket.close();
      reject(toConnectError(error, { host, port }));
    };
    socket.once('error', fail);
    socket.connect(port, host, () => {
      socket.off('error', fail);
      resolve();
    });
  });
  return new DatagramClient(socket, { host, port, timeout, retries });
}

function endpointOptions(text: string): DatagramClientOptions {
  const endpoint = parseClientEndpoint(text);
  if (endpoint.kind !== 'udp') {
    throw new UsageError(`${text}: connectDatagram sends datagrams; use connect() for a stream`);
  }
  return { host: endpoint.host, port: endpoint.port };
}
