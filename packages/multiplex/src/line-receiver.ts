// Line framing with a raw mode (Twisted's basic.LineReceiver): bytes in,
// `lineReceived(line)` out; `setRawMode()` switches to `rawDataReceived`
// (e.g. for a body after headers), `setLineMode(extra)` back.
import { Protocol } from './protocol.js';

const EMPTY = Buffer.alloc(0);

/**
 * Override `lineReceived` (and `rawDataReceived` if you use raw mode). A line
 * longer than `MAX_LENGTH` bytes calls `lineLengthExceeded`, which by
 * default closes the connection: a peer that never sends the delimiter
 * cannot grow the buffer past `MAX_LENGTH`.
 */
export class LineReceiver extends Protocol {
  /** What ends a line; `\r\n` as in Twisted. */
  delimiter: Uint8Array = Buffer.from('\r\n');
  /** Longest line in bytes, without the delimiter; 16 KiB as in Twisted. */
  MAX_LENGTH = 16_384;
  #buffer: Buffer = EMPTY;
  #lineMode = true;
  #busy = false;

  /** A complete line arrived, without its delimiter. */
  lineReceived(_line: Buffer): void {}

  /** Raw-mode data arrived. */
  rawDataReceived(_data: Buffer): void {}

  /** A line (or the unterminated buffer) exceeded `MAX_LENGTH`. Default: `loseConnection()`. */
  lineLengthExceeded(_line: Buffer): void {
    this.transport.loseConnection();
  }

  /** Writes `line` followed by the delimiter. */
  sendLine(line: Uint8Array | string): void {
    this.transport.writeSequence([line, this.delimiter]);
  }

  /** Deliver the following bytes to `rawDataReceived` until `setLineMode`. */
  setRawMode(): void {
    this.#lineMode = false;
  }

  /** Back to lines; `extra` is fed in as if just received. */
  setLineMode(extra: Uint8Array = EMPTY): void {
    this.#lineMode = true;
    if (extra.length > 0) this.dataReceived(Buffer.from(extra));
  }

  /** Takes and returns whatever is buffered and not yet delivered. */
  clearLineBuffer(): Buffer {
    const rest = this.#buffer;
    this.#buffer = EMPTY;
    return rest;
  }

  override dataReceived(data: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    // A callback that switches modes re-enters through setLineMode: the outer
    // loop keeps delivering in order.
    if (this.#busy) return;
    this.#busy = true;
    try {
      this.#deliver();
    } finally {
      this.#busy = false;
    }
  }

  #deliver(): void {
    const delimiter = this.delimiter;
    while (this.#buffer.length > 0) {
      if (this.transport?.disconnecting) {
        this.#buffer = EMPTY;
        return;
      }
      if (!this.#lineMode) {
        const data = this.#buffer;
        this.#buffer = EMPTY;
        this.rawDataReceived(data);
        continue;
      }
      const end = this.#buffer.indexOf(delimiter);
      if (end === -1) {
        if (this.#buffer.length > this.MAX_LENGTH) {
          const line = this.#buffer;
          this.#buffer = EMPTY;
          this.lineLengthExceeded(line);
        }
        return;
      }
      const line = this.#buffer.subarray(0, end);
      this.#buffer = this.#buffer.subarray(end + delimiter.length);
      if (line.length > this.MAX_LENGTH) {
        const exceeded = Buffer.concat([line, delimiter, this.#buffer]);
        this.#buffer = EMPTY;
        this.lineLengthExceeded(exceeded);
        return;
      }
      this.lineReceived(line);
    }
  }
}
