import { describe, expect, it } from 'vitest';
import { AddressInUseError } from '../errors.js';
import { bindDatagramSocket } from './bind-datagram-socket.js';

describe('bindDatagramSocket', () => {
  it('binds port 0 and reports the port it got; a second bind there is AddressInUseError', async () => {
    const { socket, address } = await bindDatagramSocket({
      kind: 'udp',
      host: '127.0.0.1',
      port: 0,
    });
    try {
      expect(address).toMatchObject({ host: '127.0.0.1', family: 'IPv4' });
      expect(address.port).toBeGreaterThan(0);
      const error = await bindDatagramSocket({
        kind: 'udp',
        host: '127.0.0.1',
        port: address.port,
      }).catch((e: unknown) => e);
      expect(AddressInUseError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(`address 127.0.0.1:${address.port} is already in use`);
    } finally {
      socket.close();
    }
  });
});
