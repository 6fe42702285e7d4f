import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ABORT_FLAG_CALLS_PER_CLOCK,
  ABORT_FLAG_CHECK_INTERVAL,
  AbortFlagReader,
  FileAbortFlag,
} from './abort-flag.js';

// A clock the test moves by hand: "within the interval" must not depend on how busy the machine is.
function manualClock() {
  let time = 0;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** Runs `test` with a fresh flag, a reader of it on a manual clock, and that clock; closes the flag after. */
function withFlag(
  test: (
    flag: FileAbortFlag,
    reader: AbortFlagReader,
    clock: ReturnType<typeof manualClock>,
  ) => void,
): void {
  const flag = new FileAbortFlag();
  try {
    const clock = manualClock();
    test(flag, new AbortFlagReader(flag.fd, clock.now), clock);
  } finally {
    flag.close();
  }
}

describe('FileAbortFlag / AbortFlagReader', () => {
  it('carries the id of the connection whose signal fired, read after a read(2) at most once per interval', () =>
    withFlag((flag, reader, clock) => {
      expect(reader.read(64)).toBe(0);
      flag.raise(42);
      expect(reader.read(64)).toBe(0); // read moments ago: the last value stands
      clock.advance(ABORT_FLAG_CHECK_INTERVAL); // the read(2) waited this long
      expect(reader.read(64)).toBe(42);
    }));

  it('reads the flag at once at the end of stream, within the interval too', () =>
    withFlag((flag, reader, clock) => {
      expect(reader.read(64)).toBe(0);
      flag.raise(9);
      clock.advance(ABORT_FLAG_CHECK_INTERVAL / 2);
      expect(reader.read(64)).toBe(0);
      expect(reader.read(0)).toBe(9); // a read(2) returned 0: the server's FIN may be why
    }));

  it('before reads and writes, looks at the clock once every so many calls', () =>
    withFlag((flag, reader, clock) => {
      expect(reader.read(64)).toBe(0);
      flag.raise(5);
      clock.advance(ABORT_FLAG_CHECK_INTERVAL);
      for (let call = 1; call < ABORT_FLAG_CALLS_PER_CLOCK; call++) expect(reader.read()).toBe(0);
      expect(reader.read()).toBe(5);
    }));

  it('reads the flag and writes the activity at once when the clock steps back', () =>
    withFlag((flag, reader, clock) => {
      clock.advance(1_000);
      reader.read(64);
      reader.touch();
      flag.raise(3);
      clock.advance(-500);
      expect(reader.read(64)).toBe(3);
      reader.touch();
      expect(flag.activity()).toBe(2);
    }));

  it('carries the idle verdict one way and the activity count the other', () => {
    const flag = new FileAbortFlag();
    try {
      const clock = manualClock();
      const reader = new AbortFlagReader(flag.fd, clock.now);
      expect(flag.activity()).toBe(0);
      reader.touch();
      reader.touch(); // within the interval: counted, not yet written
      expect(flag.activity()).toBe(1);
      clock.advance(ABORT_FLAG_CHECK_INTERVAL);
      reader.touch();
      expect(flag.activity()).toBe(3);
      flag.timeOut(7);
      reader.read(0);
      expect(reader.timedOut()).toBe(7);
      expect(reader.read(0)).toBe(0); // the abort slot is its own
    } finally {
      flag.close();
    }
    expect(flag.activity()).toBe(0);
  });

  it('leaves no file behind and closes once', () => {
    const flag = new FileAbortFlag();
    expect(fs.fstatSync(flag.fd).nlink).toBe(0);
    flag.close();
    flag.close();
    flag.raise(1); // after close: nothing to write to, no throw
  });
});
