import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ABORT_FLAG_CHECK_INTERVAL, AbortFlagReader, FileAbortFlag } from './abort-flag.js';

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

describe('FileAbortFlag / AbortFlagReader', () => {
  it('carries the id of the connection whose signal fired, read at most once per interval', () => {
    const flag = new FileAbortFlag();
    try {
      const clock = manualClock();
      const reader = new AbortFlagReader(flag.fd, clock.now);
      expect(reader.read()).toBe(0);
      flag.raise(42);
      expect(reader.read()).toBe(0); // read moments ago: the last value stands
      clock.advance(ABORT_FLAG_CHECK_INTERVAL);
      expect(reader.read()).toBe(42);
    } finally {
      flag.close();
    }
  });

  it('reads the flag at once at the end of stream, within the interval too', () => {
    const flag = new FileAbortFlag();
    try {
      const clock = manualClock();
      const reader = new AbortFlagReader(flag.fd, clock.now);
      expect(reader.read()).toBe(0);
      flag.raise(9);
      clock.advance(ABORT_FLAG_CHECK_INTERVAL / 2);
      expect(reader.read()).toBe(0);
      expect(reader.read(true)).toBe(9); // a read(2) returned 0: the server's FIN may be why
    } finally {
      flag.close();
    }
  });

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
      reader.read();
      expect(reader.timedOut()).toBe(7);
      expect(reader.read()).toBe(0); // the abort slot is its own
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
