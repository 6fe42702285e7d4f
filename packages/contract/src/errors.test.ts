import { describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  ConnectionError,
  ConnectionRefusedError,
  IomodelsError,
  ListenError,
  UsageError,
} from './errors.js';

describe('errors', () => {
  it('carry a code and a name', () => {
    const error = new AddressInUseError('taken');
    expect(error.code).toBe('ERR_IOMODELS_LISTEN_ADDRESS_IN_USE');
    expect(error.name).toBe('AddressInUseError');
  });

  it('isInstance follows the hierarchy by code, not prototype', () => {
    const foreign = Object.assign(new Error('refused'), {
      code: 'ERR_IOMODELS_CONNECTION_REFUSED',
    });
    expect(ConnectionRefusedError.isInstance(foreign)).toBe(true);
    expect(ConnectionError.isInstance(foreign)).toBe(true);
    expect(IomodelsError.isInstance(foreign)).toBe(true);
    expect(ListenError.isInstance(new AddressInUseError('x'))).toBe(true);
    expect(AddressInUseError.isInstance(new ListenError('x'))).toBe(false);
    expect(UsageError.isInstance(new Error('plain'))).toBe(false);
    expect(UsageError.isInstance({ code: 'ERR_IOMODELS_USAGE' })).toBe(false);
  });
});
