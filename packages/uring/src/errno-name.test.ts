import { describe, expect, it } from 'vitest';
import { errnoName, errnoValue } from './errno-name.js';

describe('errnoName', () => {
  it('names a negative result', () => {
    expect(errnoName(-errnoValue('ECONNRESET'))).toBe('ECONNRESET');
    expect(errnoName(-errnoValue('ECANCELED'))).toBe('ECANCELED');
  });
  it('falls back to the number', () => {
    expect(errnoName(-99999)).toBe('E99999');
  });
});
