import { LineTooLongError } from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import { ReceiveQueue } from './receive-queue.js';

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
const input = Buffer.from('one\r\ntwo\n\r\n三\r\nlast line\r\ntail');

/** Splits `bytes` into chunks of `size` (each its own copy, as the socket queues them). */
function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

/** A queue holding `bytes`, pushed in chunks of `size`. */
function filled(bytes: Uint8Array, size: number): ReceiveQueue {
  const queue = new ReceiveQueue();
  for (const chunk of chunks(bytes, size)) queue.push(chunk);
  return queue;
}

describe('ReceiveQueue', () => {
  it('takeChunk hands out every byte in order, at most max each, at every chunk size', () => {
    for (let size = 1; size <= input.length; size++) {
      for (const max of [1, 3, 7, 64]) {
        const queue = filled(input, size);
        expect(queue.size).toBe(input.length);
        const out: Uint8Array[] = [];
        while (queue.size > 0) {
          const chunk = queue.takeChunk(max);
          expect(chunk.length, `chunk size ${size}, max ${max}`).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(Math.min(max, size));
          out.push(chunk);
        }
        expect(Buffer.concat(out).equals(input), `chunk size ${size}, max ${max}`).toBe(true);
      }
    }
  });

  it('takeInto fills buffers across chunk boundaries, at every chunk size', () => {
    for (let size = 1; size <= input.length; size++) {
      for (const room of [1, 4, 16, 100]) {
        const queue = filled(input, size);
        const out: Buffer[] = [];
        const buffer = new Uint8Array(room);
        while (queue.size > 0) {
          const n = queue.takeInto(buffer);
          // A read takes all it can: it stops short of a full buffer only when the queue ran dry.
          expect(n === room || queue.size === 0, `chunk size ${size}, room ${room}`).toBe(true);
          out.push(Buffer.from(buffer.subarray(0, n)));
        }
        expect(Buffer.concat(out).equals(input), `chunk size ${size}, room ${room}`).toBe(true);
      }
    }
  });

  it('takeInto from an offset places bytes after what the buffer holds', () => {
    const queue = filled(Buffer.from('abcdef'), 2);
    const buffer = new Uint8Array(5);
    expect(queue.takeInto(buffer, 0)).toBe(5);
    queue.push(Buffer.from('gh'));
    const rest = new Uint8Array(4);
    rest[0] = 0x78;
    expect(queue.takeInto(rest, 1)).toBe(3);
    expect(text(buffer)).toBe('abcde');
    expect(text(rest)).toBe('xfgh');
  });

  it('takeChunk hands out a whole queued chunk as is (no copy)', () => {
    const queue = new ReceiveQueue();
    const chunk = Buffer.from('hello');
    queue.push(chunk);
    expect(queue.takeChunk(64)).toBe(chunk);
  });

  it('ignores empty chunks', () => {
    const queue = new ReceiveQueue();
    queue.push(new Uint8Array(0));
    queue.unshift(new Uint8Array(0));
    expect(queue.size).toBe(0);
    queue.push(Buffer.from('x'));
    expect(text(queue.takeChunk(10))).toBe('x');
  });

  it('takeThrough finds every line, with the delimiter split across chunks, at every chunk size', () => {
    const delimiter = Buffer.from('\r\n');
    for (let size = 1; size <= input.length; size++) {
      const queue = new ReceiveQueue();
      const lines: string[] = [];
      let scanned = 0;
      for (const chunk of chunks(input, size)) {
        queue.push(chunk);
        for (;;) {
          const line = queue.takeThrough(delimiter, 64, scanned);
          if (line === undefined) {
            scanned = queue.size;
            break;
          }
          lines.push(text(line));
          scanned = 0;
        }
      }
      expect(lines, `chunk size ${size}`).toEqual([
        'one\r\n',
        'two\n\r\n',
        '三\r\n',
        'last line\r\n',
      ]);
      expect(text(queue.takeFront(queue.size))).toBe('tail');
    }
  });

  it('takeThrough with a one-byte delimiter, at every chunk size', () => {
    const newline = Buffer.from('\n');
    for (let size = 1; size <= input.length; size++) {
      const queue = filled(input, size);
      const lines: string[] = [];
      for (let line = queue.takeThrough(newline, 64); line; line = queue.takeThrough(newline, 64)) {
        lines.push(text(line));
      }
      expect(lines, `chunk size ${size}`).toEqual([
        'one\r\n',
        'two\n',
        '\r\n',
        '三\r\n',
        'last line\r\n',
      ]);
      expect(queue.size).toBe(4);
    }
  });

  it('takeThrough past maxBytes throws LineTooLongError and leaves the bytes queued, at every chunk size', () => {
    const long = Buffer.from('abcdefgh\nok\n');
    const newline = Buffer.from('\n');
    for (let size = 1; size <= long.length; size++) {
      const queue = new ReceiveQueue();
      let error: unknown;
      for (const chunk of chunks(long, size)) {
        queue.push(chunk);
        try {
          if (queue.takeThrough(newline, 5) !== undefined) break;
        } catch (caught) {
          error = caught;
          break;
        }
      }
      expect(LineTooLongError.isInstance(error), `chunk size ${size}`).toBe(true);
      expect(queue.size).toBe(Math.min(long.length, Math.ceil(5 / size) * size));
      // Within the limit the same line is found.
      while (queue.size < long.length) queue.push(long.subarray(queue.size, queue.size + size));
      expect(text(queue.takeThrough(newline, 9)!)).toBe('abcdefgh\n');
    }
  });

  it('takeFront copies exactly n bytes out of several chunks', () => {
    const queue = filled(input, 3);
    expect(text(queue.takeFront(8))).toBe('one\r\ntwo');
    expect(queue.size).toBe(input.length - 8);
  });

  it('unshift puts a copy back at the front', () => {
    const queue = filled(Buffer.from('cdef'), 1);
    const back = Buffer.from('ab');
    queue.unshift(back);
    back[0] = 0x7a; // the queue kept its own copy
    expect(queue.size).toBe(6);
    expect(text(queue.takeFront(6))).toBe('abcdef');
  });

  it('clear drops every byte', () => {
    const queue = filled(input, 5);
    queue.clear();
    expect(queue.size).toBe(0);
    queue.push(Buffer.from('new'));
    expect(text(queue.takeFront(3))).toBe('new');
  });
});
