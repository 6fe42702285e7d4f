import { describe, expect, it } from 'vitest';
import { formatHostPort } from './address.js';
import { toConnectError, toConnectionError, toListenError } from './error-mapping.js';
import {
  AddressInUseError,
  ConnectionError,
  ConnectionRefusedError,
  ConnectionResetError,
  ConnectionTimeoutError,
  IdleTimeoutError,
  ListenError,
} from './errors.js';

const errno = (code: string) => Object.assign(new Error(`${code} oops`), { code });

describe('formatHostPort', () => {
  it.each([
    ['127.0.0.1', 8009, '127.0.0.1:8009'],
    ['::1', 8009, '[::1]:8009'],
    ['::ffff:127.0.0.1', 1, '[::ffff:127.0.0.1]:1'],
    ['localhost', 0, 'localhost:0'],
  ])('%s, %d → %s', (host, port, text) => {
    expect(formatHostPort(host, port)).toBe(text);
  });
});

describe('toConnectionError', () => {
  it.each([
    ['ECONNRESET', ConnectionResetError],
    ['EPIPE', ConnectionResetError],
    ['ECONNABORTED', ConnectionResetError],
    ['ETIMEDOUT', ConnectionTimeoutError],
  ])('%s → %s', (code, type) => {
    const cause = errno(code);
    const error = toConnectionError(cause);
    expect(type.isInstance(error)).toBe(true);
    expect(error.message).toContain(code);
    expect(error.cause).toBe(cause);
  });

  it('leaves other errors and the contract errors as they are', () => {
    const other = errno('EBADF');
    expect(toConnectionError(other)).toBe(other);
    const idle = new IdleTimeoutError(5);
    expect(toConnectionError(idle)).toBe(idle);
    expect(toConnectionError('text')).toBeInstanceOf(Error);
  });
});

describe('toConnectError', () => {
  const v6 = { host: '::1', port: 8009 };
  it.each([
    ['ECONNREFUSED', ConnectionRefusedError],
    ['ETIMEDOUT', ConnectionTimeoutError],
    ['ECONNRESET', ConnectionResetError],
    ['EHOSTUNREACH', ConnectionError],
  ])('%s → %s, naming the bracketed address', (code, type) => {
    const error = toConnectError(errno(code), v6);
    expect(type.isInstance(error)).toBe(true);
    expect(error.message).toContain('[::1]:8009');
  });
});

describe('toListenError', () => {
  it('EADDRINUSE → AddressInUseError; anything else → ListenError with the reason', () => {
    const inUse = toListenError(errno('EADDRINUSE'), { host: '::1', port: 80 });
    expect(AddressInUseError.isInstance(inUse)).toBe(true);
    expect(inUse.message).toBe('address [::1]:80 is already in use');
    const denied = toListenError(errno('EACCES'), { host: '127.0.0.1', port: 80 });
    expect(ListenError.isInstance(denied)).toBe(true);
    expect(AddressInUseError.isInstance(denied)).toBe(false);
    expect(denied.message).toBe('cannot listen on 127.0.0.1:80: EACCES oops');
  });
});
