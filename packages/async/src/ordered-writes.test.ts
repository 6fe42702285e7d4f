import { describe, expect, it } from 'vitest';
import { OrderedWrites } from './ordered-writes.js';

describe('OrderedWrites', () => {
  it('settles writes in order as the stream completes the ones it took asynchronously', async () => {
    const writes = new OrderedWrites();
    const order: number[] = [];
    writes.issued();
    const first = writes.add(1, undefined, undefined)!.then((n) => order.push(n));
    // Taken at once by the stream but queued behind the first: completes with it.
    const second = writes.add(2, undefined, undefined)!.then((n) => order.push(n));
    writes.issued();
    writes.add(3, undefined, (error, n) => order.push(error ? -1 : n!));
    expect(writes.pending).toBe(3);
    writes.streamCompleted(undefined);
    await Promise.all([first, second]);
    expect(order).toEqual([1, 2]);
    expect(writes.pending).toBe(1);
    writes.streamCompleted(undefined);
    expect(order).toEqual([1, 2, 3]);
    expect(writes.completed).toBe(3);
  });

  it('a write posted from the completion of the last pending one stays pending', () => {
    const writes = new OrderedWrites();
    const order: number[] = [];
    writes.issued();
    writes.add(1, undefined, (error, n) => {
      order.push(error ? -1 : n!);
      writes.issued();
      writes.add(2, undefined, (e, m) => order.push(e ? -1 : m!));
    });
    writes.streamCompleted(undefined);
    expect(order).toEqual([1]);
    expect(writes.pending).toBe(1);
    writes.streamCompleted(undefined);
    expect(order).toEqual([1, 2]);
    expect(writes.pending).toBe(0);
  });

  it('a failed stream write fails what it covers; failAll fails the rest', async () => {
    const writes = new OrderedWrites();
    writes.issued();
    const first = writes.add(1, undefined, undefined)!;
    writes.issued();
    const second = writes.add(1, undefined, undefined)!;
    writes.streamCompleted(new Error('reset'));
    await expect(first).rejects.toThrow('reset');
    writes.failAll(new Error('closed'));
    await expect(second).rejects.toThrow('closed');
    expect(writes.pending).toBe(0);
    expect(writes.completed).toBe(2);
  });

  it('cancelling stops the wait of that write only', async () => {
    const writes = new OrderedWrites();
    const controller = new AbortController();
    writes.issued();
    const cancelled = writes.add(1, controller.signal, undefined)!;
    writes.issued();
    const kept = writes.add(2, undefined, undefined)!;
    controller.abort();
    await expect(cancelled).rejects.toThrow();
    writes.streamCompleted(undefined);
    writes.streamCompleted(undefined);
    await expect(kept).resolves.toBe(2);
    writes.completedAtOnce();
    expect(writes.completed).toBe(3);
  });
});
