import { describe, expect, it } from 'vitest';
import { serveDatagram } from '../testing/serve-datagram.js';
import { EchoDatagramHandler } from './echo-datagram-handler.js';

describe('EchoDatagramHandler', () => {
  it('sends the datagram back as it came, an empty one included', async () => {
    const payload = Uint8Array.from({ length: 8192 }, (_, i) => i % 251);
    expect((await serveDatagram(EchoDatagramHandler, payload)).reply).toEqual(payload);
    expect(await serveDatagram(EchoDatagramHandler, '')).toEqual({
      outcome: 'replied',
      reply: new Uint8Array(0),
    });
  });
});
