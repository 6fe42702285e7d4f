// Python's `wfile` of a datagram handler: what the handler writes is
// gathered and sent as ONE datagram after `handle()` returns (socketserver's
// `DatagramRequestHandler.finish` does `sendto(wfile.getvalue())`).
import { type Sendable, toBytes } from '../connection.js';

/** Collects a datagram reply; nothing is sent until the handler has finished. */
export class PacketWriter {
  #parts: Uint8Array[] = [];
  #length = 0;

  /** Appends to the reply. */
  write(data: Sendable): void {
    const bytes = toBytes(data);
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** True once anything (even an empty string) was written: an empty datagram is still a reply. */
  get written(): boolean {
    return this.#parts.length > 0;
  }

  /** The reply so far, as one datagram's bytes. */
  getValue(): Uint8Array {
    if (this.#parts.length === 1) return this.#parts[0]!;
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
