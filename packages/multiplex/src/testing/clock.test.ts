import { describe, expect, it } from 'vitest';
import { AlreadyCalledError, AlreadyCancelledError } from '../errors.js';
import { Clock } from './clock.js';

describe('Clock and DelayedCall', () => {
  it('runs due calls in time order, with their arguments, only when advanced', () => {
    const clock = new Clock();
    const calls: string[] = [];
    clock.callLater(2, (name: string) => calls.push(name), 'second');
    clock.callLater(1, (name: string) => calls.push(name), 'first');
    clock.advance(0.5);
    expect(calls).toEqual([]);
    clock.advance(2);
    expect(calls).toEqual(['first', 'second']);
    expect(clock.seconds()).toBe(2.5);
  });

  it('cancel, reset and delay change what runs and when', () => {
    const clock = new Clock();
    const calls: string[] = [];
    const cancelled = clock.callLater(1, () => calls.push('cancelled'));
    const reset = clock.callLater(1, () => calls.push('reset'));
    const delayed = clock.callLater(1, () => calls.push('delayed'));
    cancelled.cancel();
    reset.reset(5);
    delayed.delay(2);
    expect(cancelled.active()).toBe(false);
    expect(reset.getTime()).toBe(5);
    clock.advance(3);
    expect(calls).toEqual(['delayed']);
    clock.advance(2);
    expect(calls).toEqual(['delayed', 'reset']);
    expect(clock.getDelayedCalls()).toEqual([]);
  });

  it('refuses to cancel a call that ran or was cancelled, as Twisted does', () => {
    const clock = new Clock();
    const ran = clock.callLater(0, () => {});
    clock.advance(0);
    expect(ran.called).toBe(true);
    expect(() => ran.cancel()).toThrow(AlreadyCalledError);
    const cancelled = clock.callLater(1, () => {});
    cancelled.cancel();
    expect(() => cancelled.reset(1)).toThrow(AlreadyCancelledError);
  });

  it('pump advances step by step', () => {
    const clock = new Clock();
    const seen: number[] = [];
    for (const t of [1, 2, 3]) clock.callLater(t, () => seen.push(clock.seconds()));
    clock.pump([1, 1, 1]);
    expect(seen).toEqual([1, 2, 3]);
  });
});
