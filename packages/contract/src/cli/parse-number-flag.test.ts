import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseDecimalFlag, parseIntegerFlag } from './parse-number-flag.js';

const PORT = { min: 0, max: 65535 };

describe('parseIntegerFlag', () => {
  it.each([
    ['0', 0],
    ['8009', 8009],
    ['65535', 65535],
  ])('reads %j', (text, value) => {
    expect(parseIntegerFlag('--port', text, 1, PORT)).toBe(value);
  });

  it('falls back when the flag is absent', () => {
    expect(parseIntegerFlag('--port', undefined, 8009, PORT)).toBe(8009);
  });

  it.each(['-1', '0x4700', '1e3', '08.5', '08', '1.5', '', ' 80', '80 ', '+80', '65536', 'x'])(
    'rejects %j in one line',
    (text) => {
      const read = () => parseIntegerFlag('--port', text, 1, PORT);
      expect(read).toThrow(UsageError);
      expect(read).toThrow(`--port must be an integer from 0 to 65535, got "${text}"`);
    },
  );
});

describe('parseDecimalFlag', () => {
  it.each([
    ['0', 0],
    ['5', 5],
    ['0.5', 0.5],
    ['2.25', 2.25],
  ])('reads %j', (text, value) => {
    expect(parseDecimalFlag('--grace', text, 1)).toBe(value);
  });

  it.each(['-1', '0x10', '1e3', '08.5', '.5', '5.', '', 'Infinity', 'NaN'])(
    'rejects %j in one line',
    (text) => {
      expect(() => parseDecimalFlag('--grace', text, 1)).toThrow(
        `--grace must be a decimal number >= 0 (like 5 or 0.5), got "${text}"`,
      );
    },
  );
});
