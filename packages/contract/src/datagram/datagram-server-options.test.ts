import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { resolveDatagramEndpoint } from './datagram-server-options.js';

describe('resolveDatagramEndpoint', () => {
  it('takes udp:/udp6: endpoints, or host/port as shorthands', () => {
    expect(resolveDatagramEndpoint({ listen: 'udp6:0' })).toEqual({
      kind: 'udp',
      host: '::1',
      port: 0,
    });
    expect(resolveDatagramEndpoint({ port: 0 })).toEqual({
      kind: 'udp',
      host: '127.0.0.1',
      port: 0,
    });
  });

  it('refuses a stream endpoint and listen with host/port', () => {
    expect(() => resolveDatagramEndpoint({ listen: 'tcp:0' })).toThrow(UsageError);
    expect(() => resolveDatagramEndpoint({ listen: 'udp:0', port: 1 })).toThrow(UsageError);
  });
});
