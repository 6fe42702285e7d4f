// read(2) and write(2) for DescriptorConnection, the calls every blocking
// handler makes per message. Where the package's Node-API addon loaded
// (native/descriptor-io.c, compiled at install by scripts/build-native.mjs)
// they go straight to the kernel; otherwise through Node's fs binding
// (@iomodels/fd). Measured at 10 threads on one core, a `recvInto` echo
// spent 1.9-2.7 us of user time per message through the fs binding and
// 1.4-1.6 us through the addon (its two calls alone, 0.6-0.9 us): the
// binding's argument checks, its libuv fs request and its trace-category
// lookups, all with cold caches after every thread switch. Both paths
// throw the same errors.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { toConnectionError } from '@iomodels/contract/core';
import { readDescriptor, systemError, writeAll } from '@iomodels/fd';

interface NativeDescriptorIo {
  /** read(2) into `buffer[offset, offset + length)`: the count, or -errno. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** write(2) of `data[offset, offset + length)`: the count, or -errno. */
  write(fd: number, data: Uint8Array, offset: number, length: number): number;
}

/** Which path this process's reads and writes take, and why not the native one. */
export type DescriptorIoPath = { native: true } | { native: false; reason: string };

/** The addon's folder: `build/` of the package, from src/ (tests) and dist/ alike. */
const BUILD = new URL('../build/', import.meta.url);

function load(): { io: NativeDescriptorIo } | { io: null; reason: string } {
  if (process.env.IOMODELS_BLOCKING_NATIVE === '0') {
    return { io: null, reason: 'IOMODELS_BLOCKING_NATIVE=0' };
  }
  try {
    return {
      io: createRequire(import.meta.url)(fileURLToPath(new URL('descriptor-io.node', BUILD))),
    };
  } catch (error) {
    const reasonFile = new URL('reason.txt', BUILD);
    const reason = existsSync(reasonFile)
      ? readFileSync(reasonFile, 'utf8').trim()
      : `build/descriptor-io.node did not load (${(error as Error).message.split('\n')[0]})`;
    return { io: null, reason };
  }
}

const loaded = load();
const native = loaded.io;

/** Which path reads and writes take in this process (and its threads: each loads the same). */
export const descriptorIoPath: DescriptorIoPath =
  loaded.io === null ? { native: false, reason: loaded.reason } : { native: true };

/** The error the fs path throws for `-errno`, mapped as the contract maps a peer's errors. */
function failure(result: number, syscall: string): Error {
  return toConnectionError(systemError(result, syscall));
}

/** One `read(2)` into `buffer[0, length)`: the count, 0 at end of stream. */
export const readInto: (fd: number, buffer: Uint8Array, length: number) => number = native
  ? (fd, buffer, length) => {
      const n = native.read(fd, buffer, 0, length);
      if (n < 0) throw failure(n, 'read');
      return n;
    }
  : (fd, buffer, length) => readDescriptor(fd, buffer, 0, length);

/** `write(2)` until every byte of `data` is in the kernel. */
export const writeEvery: (fd: number, data: Uint8Array) => void = native
  ? (fd, data) => {
      let offset = 0;
      while (offset < data.length) {
        const n = native.write(fd, data, offset, data.length - offset);
        if (n < 0) throw failure(n, 'write');
        offset += n;
      }
    }
  : writeAll;
