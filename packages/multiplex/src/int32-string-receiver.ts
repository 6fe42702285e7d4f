// Length-prefixed framing (Twisted's basic.Int32StringReceiver): each
// message is a 4-byte big-endian unsigned length, then that many bytes.
import { StringTooLongError } from './errors.js';
import { Protocol } from './protocol.js';

const EMPTY = Buffer.alloc(0);
const PREFIX_LENGTH = 4;

/**
 * Override `stringReceived`. A declared length above `MAX_LENGTH` calls
 * `lengthLimitExceeded` (default: `loseConnection()`) before any of the
 * message is buffered.
 */
export class Int32StringReceiver extends Protocol {
  /** Longest message in bytes; 99,999 as in Twisted. */
  MAX_LENGTH = 99_999;
  #buffer: Buffer = EMPTY;

  /** A complete message arrived. */
  stringReceived(_data: Buffer): void {}

  /** A peer announced a message of `length` bytes, above `MAX_LENGTH`. */
  lengthLimitExceeded(_length: number): void {
    this.transport.loseConnection();
  }

  /** Sends `data` with its length prefix. */
  sendString(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.length > 0xffff_ffff) {
      throw new StringTooLongError(`message of ${bytes.length} bytes exceeds the 32-bit prefix`);
    }
    const prefix = Buffer.allocUnsafe(PREFIX_LENGTH);
    prefix.writeUInt32BE(bytes.length, 0);
    this.transport.writeSequence([prefix, bytes]);
  }

  override dataReceived(data: Buffer): void {
    const buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    let offset = 0;
    while (buffer.length - offset >= PREFIX_LENGTH) {
      if (this.transport?.disconnecting) {
        this.#buffer = EMPTY;
        return;
      }
      const length = buffer.readUInt32BE(offset);
      if (length > this.MAX_LENGTH) {
        this.#buffer = EMPTY;
        this.lengthLimitExceeded(length);
        return;
      }
      const end = offset + PREFIX_LENGTH + length;
      if (buffer.length < end) break;
      const message = buffer.subarray(offset + PREFIX_LENGTH, end);
      offset = end;
      this.stringReceived(message);
    }
    this.#buffer = offset === buffer.length ? EMPTY : buffer.subarray(offset);
  }
}
