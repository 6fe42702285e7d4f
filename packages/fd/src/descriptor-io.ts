// read(2) and write(2) on a descriptor, through the fs binding behind
// fs.readSync/fs.writeSync (libuv's synchronous fs path: one system call, no
// thread pool; see fs-binding-calls.ts). On a blocking descriptor they wait
// in the kernel; on a non-blocking one they return at once, and "would
// block" (EAGAIN) comes back as a value.
import { toConnectionError } from '@iomodels/contract/core';
import { fsBindingCalls } from './fs-binding-calls.js';

const { read, write } = fsBindingCalls();

/** What a non-blocking read or write returns instead of waiting (EAGAIN / EWOULDBLOCK). */
export const WOULD_BLOCK: unique symbol = Symbol('WOULD_BLOCK');
export type WouldBlock = typeof WOULD_BLOCK;

/**
 * One `read(2)` into `buffer[offset, offset + length)`: the byte count, 0
 * at end of stream. Waits in the kernel if the descriptor is blocking.
 * A reset peer throws `ConnectionResetError`.
 */
export function readDescriptor(
  fd: number,
  buffer: Uint8Array,
  offset = 0,
  length = buffer.length - offset,
): number {
  try {
    return read(fd, buffer, offset, length);
  } catch (error) {
    throw toConnectionError(error);
  }
}

/** One `write(2)`: the byte count written (possibly fewer than asked). */
export function writeDescriptor(
  fd: number,
  data: Uint8Array,
  offset = 0,
  length = data.length - offset,
): number {
  try {
    return write(fd, data, offset, length);
  } catch (error) {
    throw toConnectionError(error);
  }
}

/** Writes every byte, calling `write(2)` until done (a blocking descriptor waits for the peer). */
export function writeAll(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.length) offset += writeDescriptor(fd, data, offset);
}

/** `read(2)` that never waits: a count, 0 at end of stream, or `WOULD_BLOCK`. */
export function tryRead(
  fd: number,
  buffer: Uint8Array,
  offset = 0,
  length = buffer.length - offset,
): number | WouldBlock {
  try {
    return read(fd, buffer, offset, length);
  } catch (error) {
    if (isWouldBlock(error)) return WOULD_BLOCK;
    throw toConnectionError(error);
  }
}

/** `write(2)` that never waits: the count written (maybe partial) or `WOULD_BLOCK`. */
export function tryWrite(
  fd: number,
  data: Uint8Array,
  offset = 0,
  length = data.length - offset,
): number | WouldBlock {
  try {
    return write(fd, data, offset, length);
  } catch (error) {
    if (isWouldBlock(error)) return WOULD_BLOCK;
    throw toConnectionError(error);
  }
}

function isWouldBlock(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}
