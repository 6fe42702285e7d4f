// Conformance case: the PROXY protocol receiver every model applies before
// its handler starts (the `proxyProtocol` option). The handler sees the
// original client; nothing after the header is lost; every refusal closes
// the connection and is counted, and none reaches handleError.
import type { BaseServer, InetAddress, ServerOptions } from '@iomodels/contract';
import { proxyHeaderV1, proxyHeaderV2 } from '@iomodels/contract/testing';
import { expect, vi } from 'vitest';
import type { ConformanceSuite } from './conformance-suite.js';
import { conformanceHandler } from './describe-conformance.js';
import { bytes, recvUntilClosed, waitFor } from './wire.js';

export const PROXY_PROTOCOL_TESTS = {
  proxyAddress:
    'PROXY protocol: v1 and v2 headers give the handler the original client and the header (TLVs too), header and first message in one write lose nothing',
  proxyLocal: 'PROXY protocol: a LOCAL header (health check) keeps the real peer',
  proxyRefused:
    'PROXY protocol: a peer outside the allow-list, a missing, a malformed and a too slow header each close the connection and count as proxyRefused',
} as const;

const CLIENT: InetAddress = { host: '192.0.2.1', port: 40000, family: 'IPv4' };
const CLIENT6: InetAddress = { host: '2001:db8::7', port: 40001, family: 'IPv6' };
/** The proxy's frontend address, as the destination when the server is a Unix socket. */
const FRONTEND: InetAddress = { host: '192.0.2.80', port: 8009, family: 'IPv4' };
const PROXIED = (timeout = 5000): ServerOptions => ({
  proxyProtocol: { version: 'auto', allow: '127.0.0.1,::1', timeout },
});

const joined = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));

export function proxyProtocolCase({ start, dial, test, transport }: ConformanceSuite): void {
  /** One connection: sends `data` in a single write, returns all the server said before closing. */
  async function exchange(server: BaseServer, data: Uint8Array): Promise<string> {
    const client = await dial(server);
    if (data.length > 0) await client.sendall(data);
    const { data: answer } = await recvUntilClosed(client);
    return new TextDecoder().decode(answer);
  }

  test('proxyAddress', async () => {
    const server = await start(conformanceHandler('AddressHandler'), PROXIED());
    const handleError = vi.spyOn(server, 'handleError');
    // Over a Unix socket the header still carries IP addresses: the proxy's frontend's.
    const destination = server.address.family === 'unix' ? FRONTEND : server.address;
    const v1 = proxyHeaderV1(CLIENT, destination);
    expect(await exchange(server, joined(v1, bytes('hello v1')))).toBe(
      'from 192.0.2.1:40000 via v1 PROXY\ngot hello v1',
    );
    // With an authority TLV (TLS SNI), which the handler reads from `request.proxyHeader`.
    const v2 = proxyHeaderV2({ source: CLIENT6, destination: { ...CLIENT6, port: 8009 } }, [
      [0x02, bytes('example.org')],
    ]);
    expect(await exchange(server, joined(v2, bytes('hello v2')))).toBe(
      'from 2001:db8::7:40001 via v2 PROXY example.org\ngot hello v2',
    );
    expect(server.stats()).toMatchObject({ proxyRefused: 0, refused: 0 });
    expect(handleError).not.toHaveBeenCalled();
  });

  test('proxyLocal', async () => {
    const server = await start(conformanceHandler('AddressHandler'), PROXIED());
    const client = await dial(server);
    await client.sendall(joined(proxyHeaderV2('LOCAL'), bytes('ping')));
    const { data } = await recvUntilClosed(client);
    expect(new TextDecoder().decode(data)).toBe(
      `from ${client.local.host}:${client.local.port} via v2 LOCAL\ngot ping`,
    );
  });

  test('proxyRefused', async () => {
    const server = await start(conformanceHandler('AddressHandler'), PROXIED(300));
    const handleError = vi.spyOn(server, 'handleError');
    const header = proxyHeaderV1(CLIENT, server.address);
    // Missing: the first bytes are the handler's. Malformed: a PROXY line that is not one.
    expect(await exchange(server, bytes('hello'))).toBe('');
    expect(await exchange(server, bytes('PROXY TCP4 nonsense\r\nhello'))).toBe('');
    // Too slow: the header never completes within the 300 ms timeout.
    expect(await exchange(server, header.subarray(0, 10))).toBe('');
    await waitFor(() => server.stats().proxyRefused === 3, 'three refused headers to count');
    expect(server.stats()).toMatchObject({ completed: 0, failed: 0, refused: 0, active: 0 });
    expect(handleError).not.toHaveBeenCalled();
    // A Unix peer has no IP address: the allow-list is not consulted there (file modes are).
    if (transport === 'unix') return;

    const strict = await start(conformanceHandler('AddressHandler'), {
      proxyProtocol: { version: 'v1', allow: '10.0.0.0/8' },
    });
    expect(await exchange(strict, joined(header, bytes('hello')))).toBe('');
    await waitFor(
      () => strict.stats().proxyRefused === 1,
      'the peer outside the allow-list to count',
    );
    expect(strict.stats()).toMatchObject({ completed: 0, failed: 0, refused: 0, active: 0 });
  });
}
