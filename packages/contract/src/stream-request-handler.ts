// Python's StreamRequestHandler: buffered reads (its rfile) and writes (its
// wfile) over the connection, with the line length bounded.
import { BaseRequestHandler } from './base-request-handler.js';
import { type Connection, type Sendable, toBytes } from './connection.js';
import { IncompleteReadError, LineTooLongError } from './errors.js';
import { DEFAULT_RECV_SIZE } from './limits.js';

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8');

/**
 * Adds `readLine`, `readExactly`, `readBytes` and `write` on top of the
 * connection. Reads go through an internal buffer; mixing them with direct
 * `this.request.recv()` calls loses buffered bytes, so pick one.
 */
export abstract class StreamRequestHandler<
  C extends Connection = Connection,
> extends BaseRequestHandler<C> {
  #buffer: Uint8Array = new Uint8Array(0);
  #eof = false;

  /**
   * The next line, without its `\n` or `\r\n`, decoded as UTF-8; `null` at
   * end of stream. A final line without a newline is returned as a line.
   * Throws `LineTooLongError` past `maxLength` (default: the server's
   * `maxLineLength`).
   */
  async readLine(maxLength = this.server.limits.maxLineLength): Promise<string | null> {
    for (;;) {
      const end = this.#buffer.indexOf(NEWLINE);
      if (end !== -1) {
        const lineEnd = end > 0 && this.#buffer[end - 1] === 0x0d ? end - 1 : end;
        if (lineEnd > maxLength) throw this.#lineTooLong(maxLength);
        const line = decoder.decode(this.#buffer.subarray(0, lineEnd));
        this.#buffer = this.#buffer.subarray(end + 1);
        return line;
      }
      if (this.#buffer.length > maxLength + 1) throw this.#lineTooLong(maxLength);
      if (this.#eof || !(await this.#fill())) {
        if (this.#buffer.length === 0) return null;
        const rest = decoder.decode(this.#buffer);
        this.#buffer = new Uint8Array(0);
        return rest;
      }
    }
  }

  /** Exactly `n` bytes; throws `IncompleteReadError` (with what arrived) if the stream ends first. */
  async readExactly(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      if (this.#eof || !(await this.#fill())) {
        const partial = this.#buffer;
        this.#buffer = new Uint8Array(0);
        throw new IncompleteReadError(partial, n);
      }
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** Whatever is buffered, else up to `maxBytes` fresh bytes; empty at end of stream. */
  async readBytes(maxBytes = DEFAULT_RECV_SIZE): Promise<Uint8Array> {
    if (this.#buffer.length === 0 && !this.#eof) await this.#fill();
    const out = this.#buffer.slice(0, maxBytes);
    this.#buffer = this.#buffer.subarray(out.length);
    return out;
  }

  /** Sends all of `data` (Python's `wfile.write`, unbuffered). */
  async write(data: Sendable): Promise<void> {
    await this.request.sendall(toBytes(data));
  }

  /** Appends one `recv()` to the buffer; false at end of stream. */
  async #fill(): Promise<boolean> {
    const chunk = await this.request.recv(DEFAULT_RECV_SIZE);
    if (chunk.length === 0) {
      this.#eof = true;
      return false;
    }
    const merged = new Uint8Array(this.#buffer.length + chunk.length);
    merged.set(this.#buffer);
    merged.set(chunk, this.#buffer.length);
    this.#buffer = merged;
    return true;
  }

  #lineTooLong(maxLength: number): LineTooLongError {
    return new LineTooLongError(`line longer than ${maxLength} bytes`);
  }
}
