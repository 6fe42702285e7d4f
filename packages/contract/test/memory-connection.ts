// A Connection over in-memory queues, for handler tests without sockets.
import type { Connection } from '../src/connection.js';
import { toBytes } from '../src/connection.js';

export class MemoryConnection implements Connection {
  readonly remote = { host: '127.0.0.1', port: 40000, family: 'IPv4' as const };
  readonly local = { host: '127.0.0.1', port: 8009, family: 'IPv4' as const };
  readonly sent: Uint8Array[] = [];
  closed = false;
  writeShut = false;
  readonly #incoming: Uint8Array[];

  constructor(incoming: Array<Uint8Array | string>) {
    this.#incoming = incoming.map(toBytes);
  }

  async recv(maxBytes = 65536): Promise<Uint8Array> {
    const next = this.#incoming.shift();
    if (!next) return new Uint8Array(0);
    if (next.length > maxBytes) this.#incoming.unshift(next.subarray(maxBytes));
    return next.subarray(0, maxBytes);
  }

  async sendall(data: Uint8Array | string): Promise<void> {
    if (this.closed) throw new Error('closed');
    this.sent.push(toBytes(data));
  }

  shutdownWrite(): void {
    this.writeShut = true;
  }

  close(): void {
    this.closed = true;
  }

  sentText(): string[] {
    return this.sent.map((bytes) => new TextDecoder().decode(bytes));
  }
}

export const testServerInfo = {
  model: 'test',
  mode: 'test',
  address: { host: '127.0.0.1', port: 8009, family: 'IPv4' as const },
  limits: {
    maxLineLength: 16,
    maxReceiveBuffer: 1024,
    maxUnsentBytes: 1024,
    sendStallTimeout: 1000,
    lingerTimeout: 1000,
  },
};
