import { describe, expect, it } from 'vitest';
import { UnknownHandlerError } from '../errors.js';
import { BUILTIN_HANDLERS, parseHandlerArgument } from '../handler-reference.js';
import { EchoHandler } from '../handlers/echo-handler.js';
import { IvrDatagramHandler } from '../handlers/ivr-datagram-handler.js';
import {
  BUILTIN_DATAGRAM_HANDLERS,
  loadDatagramHandler,
  toDatagramHandlerReference,
} from './datagram-handler-reference.js';

describe('datagram handler references', () => {
  it('the short names mean the datagram built-ins', async () => {
    expect(await loadDatagramHandler('ivr')).toBe(IvrDatagramHandler);
    expect(toDatagramHandlerReference('echo')).toBe(BUILTIN_DATAGRAM_HANDLERS.echo);
  });

  it('--handler ivr, parsed once for every bin as the stream built-in, means the UDP menu', async () => {
    expect(toDatagramHandlerReference(parseHandlerArgument('ivr'))).toEqual(
      BUILTIN_DATAGRAM_HANDLERS.ivr,
    );
    expect(await loadDatagramHandler(BUILTIN_HANDLERS.ivr!)).toBe(IvrDatagramHandler);
  });

  it('refuses a stream handler by name', async () => {
    const error = await loadDatagramHandler(EchoHandler as never).catch((e: unknown) => e);
    expect(UnknownHandlerError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/EchoHandler is a stream handler/);
  });

  it('takes a function in-process, but it cannot cross to another thread', async () => {
    const fn = () => 'x';
    expect(await loadDatagramHandler(fn)).toBe(fn);
    expect(() => toDatagramHandlerReference(fn)).toThrow(UnknownHandlerError);
  });
});
