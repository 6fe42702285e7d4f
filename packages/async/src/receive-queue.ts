// The bytes a socket received that no read has taken yet: chunks in, reads
// out, no IO. `AsyncSocket` owns one; its reads and composed reads take from it.
import { LineTooLongError } from '@iomodels/contract';

const EMPTY = new Uint8Array(0);
/**
 * The chunks of every queue that holds none, never written to: an idle
 * socket keeps no array of its own (a push makes a fresh one).
 */
const NO_CHUNKS = Object.freeze([]) as unknown as Uint8Array[];

/**
 * Received bytes in arrival order. Every queued chunk belongs to the queue
 * (the socket copies out of its staging buffer before it pushes), so a chunk
 * taken whole is handed out as is, with no copy.
 */
export class ReceiveQueue {
  #chunks: Uint8Array[] = NO_CHUNKS;
  #size = 0;

  /** Bytes queued. */
  get size(): number {
    return this.#size;
  }

  /** Appends `chunk`, which the queue now owns. An empty chunk is ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#chunks.length === 0) this.#chunks = [chunk];
    else this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** Puts a copy of `bytes` back at the front (a cancelled read returns what it took). */
  unshift(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // A copy even of a Buffer, whose slice() is a view.
    const copy = new Uint8Array(bytes);
    if (this.#chunks.length === 0) this.#chunks = [copy];
    else this.#chunks.unshift(copy);
    this.#size += bytes.length;
  }

  /** Drops every queued byte. */
  clear(): void {
    this.#chunks = NO_CHUNKS;
    this.#size = 0;
  }

  /** Copies queued bytes into `buffer` from `offset` on; returns how many. */
  takeInto(buffer: Uint8Array, offset = 0): number {
    let at = offset;
    // this.#chunks read each turn: taking the last chunk swaps in NO_CHUNKS.
    while (at < buffer.length && this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const n = copyInto(buffer.subarray(at), head, head.length);
      at += n;
      this.#consume(head, n);
    }
    return at - offset;
  }

  /**
   * Up to `max` bytes as a chunk the caller owns: the head chunk itself when
   * it fits, else a view of its start. Call only while `size > 0` (the hot
   * path has checked already).
   */
  takeChunk(max: number): Uint8Array {
    const head = this.#chunks[0]!;
    const n = Math.min(max, head.length);
    const out = n === head.length ? head : head.subarray(0, n);
    this.#consume(head, n);
    return out;
  }

  /** The first `n` queued bytes (`n ≤ size`), copied into one chunk the caller owns. */
  takeFront(n: number): Uint8Array {
    const out = new Uint8Array(n);
    this.takeInto(out, 0);
    return out;
  }

  /**
   * Takes the bytes through the first `delimiter` when they are at most
   * `maxBytes`; `undefined` while the queue holds no delimiter yet (call
   * again with `scanned = size` once more bytes arrived: the search resumes
   * there). Throws `LineTooLongError` when `maxBytes` bytes hold no
   * delimiter; the bytes stay queued.
   */
  takeThrough(delimiter: Uint8Array, maxBytes: number, scanned = 0): Uint8Array | undefined {
    const flat = this.#flatten();
    const at = indexOf(flat, delimiter, Math.max(0, scanned - delimiter.length + 1));
    if (at !== -1 && at + delimiter.length <= maxBytes) {
      return this.takeFront(at + delimiter.length);
    }
    if (at !== -1 || flat.length >= maxBytes) {
      throw new LineTooLongError(`no delimiter within ${maxBytes} bytes`);
    }
    return undefined;
  }

  #consume(head: Uint8Array, n: number): void {
    this.#size -= n;
    if (n < head.length) this.#chunks[0] = head.subarray(n);
    else if (this.#chunks.length === 1) this.#chunks = NO_CHUNKS;
    else this.#chunks.shift();
  }

  /** Merges the queue into one chunk, so a delimiter split across chunks is found (composed reads only). */
  #flatten(): Uint8Array {
    const chunks = this.#chunks;
    if (chunks.length === 0) return EMPTY;
    if (chunks.length === 1) return chunks[0]!;
    const merged = new Uint8Array(this.#size);
    let at = 0;
    for (const chunk of chunks) {
      merged.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks = [merged];
    return merged;
  }
}

/** Copies the first `length` bytes of `source` (as many as fit) to the start of `target`; returns how many. */
export function copyInto(target: Uint8Array, source: Uint8Array, length: number): number {
  const n = Math.min(target.length, length);
  if (n === length) target.set(source, 0);
  else target.set(source.subarray(0, n), 0);
  return n;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  if (needle.length === 1) return haystack.indexOf(needle[0]!, from);
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.length).indexOf(needle, from);
}
