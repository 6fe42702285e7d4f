import { ConnectionClosedError } from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import { ReadKind, ReadSlot } from './read-slot.js';

describe('ReadSlot', () => {
  it('is free again inside the completion, so the next read can be posted from it', async () => {
    const slot = new ReadSlot();
    const buffer = new Uint8Array(4);
    let busyInCompletion: boolean | undefined;
    slot.arm(ReadKind.Into, buffer, 4, undefined, (_error, n) => {
      busyInCompletion = slot.busy;
      expect(n).toBe(3);
    });
    expect(slot.busy).toBe(true);
    expect(slot.buffer).toBe(buffer);
    slot.complete(3);
    expect(busyInCompletion).toBe(false);
    expect(slot.kind).toBe(ReadKind.None);
  });

  it('a signal cancels the read with its reason and is let go afterwards', async () => {
    const slot = new ReadSlot();
    const controller = new AbortController();
    const reading = slot.arm(ReadKind.Chunk, new Uint8Array(0), 10, controller.signal, undefined);
    expect(slot.signal).toBe(controller.signal);
    controller.abort(new Error('stop'));
    await expect(reading).rejects.toThrow('stop');
    expect(slot.signal).toBeUndefined();
    expect(slot.busy).toBe(false);
  });

  it('the portable read ends as end of stream when this side closes', async () => {
    const slot = new ReadSlot();
    slot.portable = true;
    const reading = slot.arm(ReadKind.Chunk, new Uint8Array(0), 10, undefined, undefined);
    slot.fail(new ConnectionClosedError('closed'));
    expect(await reading).toEqual(new Uint8Array(0));
    expect(slot.portable).toBe(false);
  });

  it('a composed wait keeps the slot busy', async () => {
    const slot = new ReadSlot();
    slot.busy = true;
    const waiting = slot.wait(undefined);
    slot.complete(undefined);
    await waiting;
    expect(slot.busy).toBe(true);
    slot.fail(new Error('no read outstanding: ignored'));
  });
});
