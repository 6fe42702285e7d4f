import { describe, expect, it } from 'vitest';
import { serveDatagram } from '../testing/serve-datagram.js';
import { IvrDatagramHandler } from './ivr-datagram-handler.js';
import { IVR_GREETING, IVR_OPERATOR, IVR_RETRY } from './ivr-handler.js';

async function ask(message: string): Promise<string | undefined> {
  const { reply } = await serveDatagram(IvrDatagramHandler, message);
  return reply && new TextDecoder().decode(reply);
}

describe('IvrDatagramHandler', () => {
  it('greets an empty datagram (the call starting), answers 0 and anything else with the seed strings', async () => {
    expect(await ask('')).toBe(IVR_GREETING);
    expect(await ask('\n')).toBe(IVR_GREETING);
    expect(await ask('0')).toBe(IVR_OPERATOR);
    expect(await ask('1234\r\n')).toBe(IVR_RETRY);
  });

  it('does not answer exit', async () => {
    expect(await ask('exit')).toBeUndefined();
    expect(await ask('exit\n')).toBeUndefined();
  });

  it('answers a datagram of several lines in one datagram, line by line, up to exit', async () => {
    expect(await ask('0\n1\nexit\n0')).toBe(`${IVR_OPERATOR}\n${IVR_RETRY}`);
  });

  it('keeps no state: the same datagram gets the same answer (a retry is safe)', async () => {
    expect(await ask('0')).toBe(await ask('0'));
  });
});
