import {
  ReadInProgressError as ContractReadInProgressError,
  IomodelsError,
} from '@iomodels/contract';
import { describe, expect, it } from 'vitest';
import { ReadInProgressError } from './read-in-progress-error.js';

describe('ReadInProgressError', () => {
  it("is the contract's class, same object, code unchanged", () => {
    expect(ReadInProgressError).toBe(ContractReadInProgressError);
    const error = new ReadInProgressError('two reads');
    expect(error.code).toBe('ERR_IOMODELS_READ_IN_PROGRESS');
    expect(error.name).toBe('ReadInProgressError');
    expect(IomodelsError.isInstance(error)).toBe(true);
    const lookalike = Object.assign(new Error('x'), { code: 'ERR_IOMODELS_READ_IN_PROGRESS' });
    expect(ReadInProgressError.isInstance(lookalike)).toBe(true);
  });
});
