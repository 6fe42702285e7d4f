// read(2) and write(2) on a descriptor through Node's fs binding, called
// exactly as this runtime's own fs.readSync / fs.writeSync call it, without
// their argument checks: descriptor-io's callers pass descriptors and ranges
// they checked. A blocking server's 64-byte echo at 10 connections (ten
// processes or threads on one core, each with cold caches at every switch)
// then took 0.95-0.96x the server CPU per message, 1.06-1.07x the messages
// per second (7 interleaved pairs, forking and threading alike).
// The shape of the call is read from the runtime's own functions, so a Node
// whose fs calls its binding differently falls back to fs.readSync /
// fs.writeSync: never a call the binding would reject (it aborts the
// process on a wrong argument count).
import fs from 'node:fs';
import { getSystemErrorName } from 'node:util';

/** One `read(2)` into `buffer[offset, offset + length)` at the descriptor's position; throws what `fs.readSync` throws. */
export type ReadCall = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
/** One `write(2)` of `data[offset, offset + length)`; throws an error with the errno's `code`, as `fs.writeSync` does. */
export type WriteCall = (fd: number, data: Uint8Array, offset: number, length: number) => number;

/** The binding's two functions, as Node 20–24's fs calls them. */
interface FsBinding {
  /** Throws a system error itself. */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Reports an error in `ctx` (the form Node 20–24 use), or throws it (`ctx` absent). */
  writeBuffer(
    fd: number,
    data: Uint8Array,
    offset: number,
    length: number,
    position: null,
    req?: undefined,
    ctx?: { errno?: number },
  ): number;
}

/** How this runtime's fs.readSync / fs.writeSync call the binding (whitespace aside). */
export const READ_SHAPE = /\bbinding\.read\(fd,\s*buffer,\s*offset,\s*length,\s*position\)/;
export const WRITE_SHAPE_CTX =
  /\bbinding\.writeBuffer\(fd,\s*buffer,\s*offset,\s*length,\s*position,\s*undefined,\s*ctx\)/;
export const WRITE_SHAPE_THROWS =
  /\bbinding\.writeBuffer\(fd,\s*buffer,\s*offset,\s*length,\s*position\)/;

/**
 * What the binding checks with assertions that abort the process rather
 * than throw: an int32 descriptor, a view, a non-empty range inside it.
 * Anything else goes to the public function, which throws the usual error
 * (or, for an empty range, returns 0 without a system call, as it does).
 */
function checked(fd: number, view: Uint8Array, offset: number, length: number): boolean {
  return (
    (fd | 0) === fd &&
    fd >= 0 &&
    ArrayBuffer.isView(view) &&
    (offset | 0) === offset &&
    offset >= 0 &&
    (length | 0) === length &&
    length > 0 &&
    offset + length <= view.byteLength
  );
}

const publicRead: ReadCall = (fd, buffer, offset, length) =>
  fs.readSync(fd, buffer, offset, length, null);
const publicWrite: WriteCall = (fd, data, offset, length) => fs.writeSync(fd, data, offset, length);

/** The error `fs.writeSync` throws for an errno (negative, as libuv gives it) the binding put in `ctx`. */
export function systemError(errno: number, syscall: string): NodeJS.ErrnoException {
  const code = getSystemErrorName(errno);
  return Object.assign(new Error(`${code}, ${syscall}`), { errno, code, syscall });
}

function loadBinding(): Partial<FsBinding> | null {
  try {
    // process.binding is deprecated (DEP0111, documentation-only) but keeps
    // an allow-list with fs on Node 20 and 24; it warns only under
    // --pending-deprecation (handle-stream.ts loads stream_wrap the same way).
    return (process as unknown as { binding(name: string): Partial<FsBinding> }).binding('fs');
  } catch {
    return null;
  }
}

/**
 * The read and write calls for these function sources and binding: the
 * binding's where the sources show the shape it is called with here, the
 * public functions otherwise. (Arguments for tests; the defaults are this
 * runtime's.)
 */
export function fsBindingCalls(
  readSource = fs.readSync.toString(),
  writeSource = fs.writeSync.toString(),
  binding = loadBinding(),
): { read: ReadCall; write: WriteCall; direct: boolean } {
  const b = binding;
  // The binding object is in dictionary mode: `b.read` would be a
  // property lookup the optimising compiler cannot inline, on every call.
  // The functions are taken once and called with the binding as `this`.
  const bindingRead = b && typeof b.read === 'function' ? b.read : null;
  const bindingWrite = b && typeof b.writeBuffer === 'function' ? b.writeBuffer : null;
  const read: ReadCall | null =
    bindingRead && READ_SHAPE.test(readSource)
      ? (fd, buffer, offset, length) =>
          checked(fd, buffer, offset, length)
            ? bindingRead.call(b, fd, buffer, offset, length, -1)
            : publicRead(fd, buffer, offset, length)
      : null;
  let write: WriteCall | null = null;
  if (bindingWrite) {
    if (WRITE_SHAPE_CTX.test(writeSource)) {
      // One context object for every call: the binding writes to it only
      // on an error, and an error replaces it.
      let ctx: { errno?: number } = {};
      write = (fd, data, offset, length) => {
        if (!checked(fd, data, offset, length)) return publicWrite(fd, data, offset, length);
        const n = bindingWrite.call(b, fd, data, offset, length, null, undefined, ctx);
        if (ctx.errno !== undefined) {
          const { errno } = ctx;
          ctx = {};
          throw systemError(errno, 'write');
        }
        return n;
      };
    } else if (WRITE_SHAPE_THROWS.test(writeSource)) {
      write = (fd, data, offset, length) =>
        checked(fd, data, offset, length)
          ? bindingWrite.call(b, fd, data, offset, length, null)
          : publicWrite(fd, data, offset, length);
    }
  }
  // Both or neither: one shape known and not the other is a runtime nobody checked.
  return read && write
    ? { read, write, direct: true }
    : { read: publicRead, write: publicWrite, direct: false };
}
