// Reads composed of several waits on the receive queue: readExactly,
// readUntil, readLine. Each holds the socket's read slot from start to end,
// so no other read can take bytes from between its pieces.
import { IncompleteReadError, LineTooLongError } from '@iomodels/contract';
import { abortReason } from './completion.js';
import { type ReadSlot, readInProgress } from './read-slot.js';
import type { ReceiveQueue } from './receive-queue.js';

const NEWLINE = new Uint8Array([0x0a]);
const decoder = new TextDecoder('utf-8');

/** What a composed read needs from its socket. */
export interface ReadSource {
  readonly slot: ReadSlot;
  readonly queue: ReceiveQueue;
  /** The peer sent FIN: no byte will join the queue. */
  readonly ended: boolean;
  /** Resolves when more bytes than the queue holds now arrived, or the stream ended; rejects on error, close or abort. */
  waitForData(signal: AbortSignal | undefined): Promise<void>;
}

/** Runs `body` holding the read slot; refuses when a read is outstanding. */
export async function composedRead<T>(
  source: ReadSource,
  signal: AbortSignal | undefined,
  body: () => Promise<T>,
): Promise<T> {
  const slot = source.slot;
  if (slot.busy) throw readInProgress();
  if (signal?.aborted) throw abortReason(signal);
  slot.busy = true;
  try {
    return await body();
  } finally {
    slot.busy = false;
  }
}

/** Exactly `n` bytes; `IncompleteReadError` (holding what arrived) if the stream ends first. */
export async function readExactly(
  source: ReadSource,
  n: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const queue = source.queue;
  const out = new Uint8Array(n);
  let have = 0;
  try {
    for (;;) {
      have += queue.takeInto(out, have);
      if (have === n) return out;
      if (source.ended && queue.size === 0) throw new IncompleteReadError(out.slice(0, have), n);
      await source.waitForData(signal);
    }
  } catch (error) {
    // Cancelled or failed: the bytes taken so far go back, nothing is lost.
    if (have > 0 && !IncompleteReadError.isInstance(error)) queue.unshift(out.subarray(0, have));
    throw error;
  }
}

/**
 * The bytes through the first `delimiter`, or — at end of stream without
 * one — the number of bytes left queued. Overrun leaves the bytes queued.
 */
async function readThrough(
  source: ReadSource,
  delimiter: Uint8Array,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array | number> {
  const queue = source.queue;
  let scanned = 0;
  for (;;) {
    const found = queue.takeThrough(delimiter, maxBytes, scanned);
    if (found !== undefined) return found;
    scanned = queue.size;
    if (source.ended) return scanned;
    await source.waitForData(signal);
  }
}

/** Bytes through the first `delimiter`; `IncompleteReadError` when the stream ends first. */
export async function readUntil(
  source: ReadSource,
  delimiter: Uint8Array,
  maxBytes: number,
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  const found = await readThrough(source, delimiter, maxBytes, signal);
  if (typeof found === 'number') {
    throw new IncompleteReadError(source.queue.takeFront(found), found + delimiter.length);
  }
  return found;
}

/** The next line without its `\n` or `\r\n`, decoded as UTF-8; `null` at end of stream. */
export async function readLine(
  source: ReadSource,
  maxLength: number,
  signal: AbortSignal | undefined,
): Promise<string | null> {
  const found = await readThrough(source, NEWLINE, maxLength + 2, signal);
  if (typeof found === 'number') {
    return found === 0 ? null : decoder.decode(source.queue.takeFront(found));
  }
  let end = found.length - 1;
  if (end > 0 && found[end - 1] === 0x0d) end--;
  if (end > maxLength) throw new LineTooLongError(`line longer than ${maxLength} bytes`);
  return decoder.decode(found.subarray(0, end));
}
