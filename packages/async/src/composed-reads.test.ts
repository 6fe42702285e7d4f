import { IncompleteReadError, LineTooLongError, ReadInProgressError } from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import {
  composedRead,
  type ReadSource,
  readExactly,
  readLine,
  readUntil,
} from './composed-reads.js';
import { ReadSlot } from './read-slot.js';
import { ReceiveQueue } from './receive-queue.js';

/** A source that delivers `input` in chunks of `size`, one chunk per wait, then end of stream. */
function source(input: Uint8Array, size: number): ReadSource {
  let at = 0;
  const self = {
    slot: new ReadSlot(),
    queue: new ReceiveQueue(),
    ended: false,
    async waitForData(): Promise<void> {
      if (at >= input.length) {
        self.ended = true;
        return;
      }
      self.queue.push(input.slice(at, at + size));
      at += size;
    },
  };
  return self;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();
const lines = Buffer.from('one\r\ntwo\n\r\n三\nlast');

describe('composed reads', () => {
  it('readLine returns every line, \\r\\n or \\n, and a last line without one, at every chunk size', async () => {
    for (let size = 1; size <= lines.length; size++) {
      const from = source(lines, size);
      const got: Array<string | null> = [];
      for (
        let line = await readLine(from, 64, undefined);
        ;
        line = await readLine(from, 64, undefined)
      ) {
        got.push(line);
        if (line === null) break;
      }
      expect(got, `chunk size ${size}`).toEqual(['one', 'two', '', '三', 'last', null]);
    }
  });

  it('readLine past maxLength fails with LineTooLongError, at every chunk size', async () => {
    const long = Buffer.from('abcdefgh\r\n');
    for (let size = 1; size <= long.length; size++) {
      await expect(
        readLine(source(long, size), 4, undefined),
        `chunk size ${size}`,
      ).rejects.toSatisfy((e) => LineTooLongError.isInstance(e));
    }
  });

  it('readExactly assembles exactly n bytes across chunks, at every chunk size', async () => {
    for (let size = 1; size <= lines.length; size++) {
      const from = source(lines, size);
      expect(text(await readExactly(from, 5, undefined)), `chunk size ${size}`).toBe('one\r\n');
      expect(text(await readExactly(from, 4, undefined))).toBe('two\n');
      const error = await readExactly(from, 100, undefined).catch((e: unknown) => e);
      expect(IncompleteReadError.isInstance(error)).toBe(true);
      expect(text((error as IncompleteReadError).partial)).toBe('\r\n三\nlast');
    }
  });

  it('readUntil a two-byte delimiter split across chunks, and IncompleteReadError at the end, at every chunk size', async () => {
    const input = Buffer.from('a||bb|c||tail');
    for (let size = 1; size <= input.length; size++) {
      const from = source(input, size);
      expect(text(await readUntil(from, Buffer.from('||'), 64, undefined))).toBe('a||');
      expect(text(await readUntil(from, Buffer.from('||'), 64, undefined))).toBe('bb|c||');
      const error = await readUntil(from, Buffer.from('||'), 64, undefined).catch(
        (e: unknown) => e,
      );
      expect(IncompleteReadError.isInstance(error), `chunk size ${size}`).toBe(true);
      expect(text((error as IncompleteReadError).partial)).toBe('tail');
    }
  });

  it('a failed readExactly puts back what it took', async () => {
    const from = source(Buffer.from('abc'), 1);
    let waits = 0;
    const wait = from.waitForData.bind(from);
    from.waitForData = async (signal) => {
      if (++waits > 2) throw new Error('cancelled');
      return wait(signal);
    };
    await expect(readExactly(from, 3, undefined)).rejects.toThrow('cancelled');
    expect(text(from.queue.takeFront(from.queue.size))).toBe('ab');
  });

  it('composedRead holds the read slot for the whole read and refuses a second one', async () => {
    const from = source(Buffer.from('x\n'), 1);
    const first = composedRead(from, undefined, () => readLine(from, 64, undefined));
    expect(from.slot.busy).toBe(true);
    await expect(composedRead(from, undefined, async () => 'second')).rejects.toBeInstanceOf(
      ReadInProgressError,
    );
    expect(await first).toBe('x');
    expect(from.slot.busy).toBe(false);
  });
});
