import { describe, expect, it } from 'vitest';
import { AcceptedRequest, DispatchContext } from './accepted-request.js';

/** Address fields as a socket has them, counting reads of this end's. */
function fakeSocket() {
  const reads = { local: 0 };
  return {
    reads,
    remoteAddress: '10.0.0.7',
    remotePort: 40000,
    remoteFamily: 'IPv4',
    get localAddress() {
      reads.local++;
      return '127.0.0.1';
    },
    localPort: 8009,
    localFamily: 'IPv4',
  };
}

describe('AcceptedRequest', () => {
  it('reads the peer at once and this end only when asked', () => {
    const socket = fakeSocket();
    const pending = new AcceptedRequest(socket);
    expect(pending.remote).toEqual({ host: '10.0.0.7', port: 40000, family: 'IPv4' });
    expect(socket.reads.local).toBe(0);
    expect(pending.local).toEqual({ host: '127.0.0.1', port: 8009, family: 'IPv4' });
    expect(socket.reads.local).toBe(1);
  });
});

describe('DispatchContext', () => {
  it('reads the local address through the pending request, on demand', () => {
    const socket = fakeSocket();
    const pending = new AcceptedRequest(socket);
    const signal = new AbortController().signal;
    const context = new DispatchContext(
      pending.remote,
      pending,
      undefined,
      signal,
      {} as never,
      () => {},
    );
    expect(context.clientAddress).toBe(pending.remote);
    expect(context.proxyHeader).toBeUndefined();
    expect(socket.reads.local).toBe(0);
    expect(context.localAddress.port).toBe(8009);
    expect(socket.reads.local).toBe(1);
  });
});
