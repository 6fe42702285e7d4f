import { describe, expect, it } from 'vitest';
import { peerAddress, socketAddresses } from './address.js';

/** Address fields as a socket has them, counting reads of this end's. */
function fields(remote: { address?: string; port?: number; family?: string }, localPort?: number) {
  const reads = { local: 0 };
  return {
    reads,
    remoteAddress: remote.address,
    remotePort: remote.port,
    remoteFamily: remote.family,
    localAddress: localPort === undefined ? undefined : '127.0.0.1',
    get localPort() {
      reads.local++;
      return localPort;
    },
    localFamily: localPort === undefined ? undefined : 'IPv4',
  };
}

describe('peerAddress', () => {
  it('reads a known peer without touching this end', () => {
    const socket = fields({ address: '::1', port: 5000, family: 'IPv6' }, 8009);
    expect(peerAddress(socket)).toEqual({ host: '::1', port: 5000, family: 'IPv6' });
    expect(socket.reads.local).toBe(0);
  });

  it('agrees with socketAddresses when the peer is unknown: Unix, or a TCP peer that left', () => {
    const unix = fields({});
    expect(peerAddress(unix)).toEqual(socketAddresses(unix).remote);
    expect(peerAddress(unix).family).toBe('unix');
    const gone = fields({}, 8009);
    expect(peerAddress(gone)).toEqual(socketAddresses(gone).remote);
    expect(peerAddress(gone).family).not.toBe('unix');
  });
});
