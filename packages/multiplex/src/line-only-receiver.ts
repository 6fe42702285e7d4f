// Line framing only, no raw mode (Twisted's basic.LineOnlyReceiver): the
// simpler, faster choice when every message is a line.
import { Protocol } from './protocol.js';

const EMPTY = Buffer.alloc(0);

/** Override `lineReceived`. Lines longer than `MAX_LENGTH` call `lineLengthExceeded`. */
export class LineOnlyReceiver extends Protocol {
  /** What ends a line; `\r\n` as in Twisted. */
  delimiter: Uint8Array = Buffer.from('\r\n');
  /** Longest line in bytes, without the delimiter; 16 KiB as in Twisted. */
  MAX_LENGTH = 16_384;
  #buffer: Buffer = EMPTY;

  /** A complete line arrived, without its delimiter. */
  lineReceived(_line: Buffer): void {}

  /** A line (or the unterminated buffer) exceeded `MAX_LENGTH`. Default: `loseConnection()`. */
  lineLengthExceeded(_line: Buffer): void {
    this.transport.loseConnection();
  }

  /** Writes `line` followed by the delimiter. */
  sendLine(line: Uint8Array | string): void {
    this.transport.writeSequence([line, this.delimiter]);
  }

  override dataReceived(data: Buffer): void {
    let buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    const delimiter = this.delimiter;
    let start = 0;
    for (;;) {
      if (this.transport?.disconnecting) {
        this.#buffer = EMPTY;
        return;
      }
      const end = buffer.indexOf(delimiter, start);
      if (end === -1) break;
      const line = buffer.subarray(start, end);
      start = end + delimiter.length;
      if (line.length > this.MAX_LENGTH) {
        this.#buffer = EMPTY;
        this.lineLengthExceeded(line);
        return;
      }
      this.lineReceived(line);
    }
    buffer = buffer.subarray(start);
    if (buffer.length > this.MAX_LENGTH) {
      this.#buffer = EMPTY;
      this.lineLengthExceeded(buffer);
      return;
    }
    this.#buffer = buffer;
  }
}
