// Python's `rfile` of a datagram handler (a `BytesIO` over the packet): the
// received datagram, read in pieces or by lines. Pure; nothing waits.
const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8');

/** Reads one received datagram from the front; never blocks, empty at the end. */
export class PacketReader {
  #offset = 0;

  constructor(readonly data: Uint8Array) {}

  /** Up to `maxBytes` of what is left (all of it by default); empty at the end. */
  read(maxBytes = Number.POSITIVE_INFINITY): Uint8Array {
    const end = Math.min(this.data.length, this.#offset + Math.max(0, maxBytes));
    const out = this.data.subarray(this.#offset, end);
    this.#offset = end;
    return out;
  }

  /**
   * The next line without its `\n` or `\r\n`, decoded as UTF-8; a last line
   * without a newline is a line; `null` at the end.
   */
  readLine(): string | null {
    if (this.#offset >= this.data.length) return null;
    const newline = this.data.indexOf(NEWLINE, this.#offset);
    const end = newline === -1 ? this.data.length : newline;
    const lineEnd = end > this.#offset && this.data[end - 1] === 0x0d ? end - 1 : end;
    const line = decoder.decode(this.data.subarray(this.#offset, lineEnd));
    this.#offset = newline === -1 ? end : end + 1;
    return line;
  }

  /** What is left, decoded as UTF-8. */
  text(): string {
    return decoder.decode(this.read());
  }
}
