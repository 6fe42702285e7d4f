import { describe, expect, it } from 'vitest';
import { abortReason, splitArgs, toCallback } from './completion.js';

describe('splitArgs', () => {
  const cb = () => {};
  const signal = new AbortController().signal;
  it('takes a callback in either position', () => {
    expect(splitArgs(cb, undefined)).toEqual([undefined, cb]);
    expect(splitArgs({ signal }, cb)).toEqual([signal, cb]);
  });
  it('takes options alone, or nothing', () => {
    expect(splitArgs({ signal }, undefined)).toEqual([signal, undefined]);
    expect(splitArgs(undefined, undefined)).toEqual([undefined, undefined]);
  });
});

describe('toCallback', () => {
  it('delivers a result as (null, result)', async () => {
    const got = await new Promise((resolve) =>
      toCallback(Promise.resolve(7), (error, result) => resolve([error, result])),
    );
    expect(got).toEqual([null, 7]);
  });
  it('delivers a rejection as (error), wrapping non-errors', async () => {
    const got = await new Promise<Error | null>((resolve) =>
      toCallback(Promise.reject('plain'), (error) => resolve(error)),
    );
    expect(got).toBeInstanceOf(Error);
    expect(got?.message).toBe('plain');
  });
});

describe('abortReason', () => {
  it('is the signal reason: AbortError, or TimeoutError for AbortSignal.timeout', () => {
    expect(abortReason(AbortSignal.abort()).name).toBe('AbortError');
    const reason = new RangeError('mine');
    expect(abortReason(AbortSignal.abort(reason))).toBe(reason);
  });
});
