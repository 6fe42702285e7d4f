import { describe, expect, it } from 'vitest';
import { ConnectionClosedError } from '../errors.js';
import { proxyHeaderV1, proxyHeaderV2 } from '../testing/proxy-header-bytes.js';
import { ProxyProtocolError } from './proxy-protocol-error.js';
import { type ProxyByteSource, receiveProxyHeader } from './receive-proxy-header.js';

const CLIENT = { host: '192.0.2.1', port: 40000, family: 'IPv4' } as const;
const SERVER = { host: '198.51.100.7', port: 8009, family: 'IPv4' } as const;
const CLIENT6 = { host: '2001:db8::1', port: 40000, family: 'IPv6' } as const;
const SERVER6 = { host: '::1', port: 8009, family: 'IPv6' } as const;
const OPTIONS = { version: 'auto', maxHeader: 4096, timeout: 10_000 } as const;

/** A peer that sent `bytes`, `chunk` at a time with an empty read between chunks. */
function peer(bytes: Uint8Array, chunk: number, end = false) {
  let offset = 0;
  let arrived = 0;
  let empty = false;
  const read: ProxyByteSource = (buffer, at, length) => {
    if (empty || offset === arrived) {
      empty = false;
      if (arrived === bytes.length) return end ? 0 : null;
      arrived = Math.min(arrived + chunk, bytes.length);
      return null;
    }
    const count = Math.min(length, arrived - offset);
    buffer.set(bytes.subarray(offset, offset + count), at);
    offset += count;
    empty = offset === arrived;
    return count;
  };
  return { read, rest: () => bytes.subarray(offset) };
}

const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]));
const FIRST_MESSAGE = Uint8Array.from(Buffer.from('hello\n'));

describe('receiveProxyHeader', () => {
  const headers = {
    v1: proxyHeaderV1(CLIENT, SERVER),
    'v1 IPv6': proxyHeaderV1(CLIENT6, SERVER6),
    v2: proxyHeaderV2({ source: CLIENT, destination: SERVER }),
    'v2 IPv6 with a TLV': proxyHeaderV2({ source: CLIENT6, destination: SERVER6 }, [
      [0x02, Uint8Array.from(Buffer.from('example.org'))],
    ]),
  };
  for (const [name, header] of Object.entries(headers)) {
    it(`reads a ${name} header at every chunk size and never a byte past it`, async () => {
      // Each chunk size costs a timer wait per chunk: 1..16, then the whole write.
      for (const chunk of [...Array(16).keys()].map((i) => i + 1).concat(200)) {
        const source = peer(cat(header, FIRST_MESSAGE), chunk);
        const { header: parsed, length } = await receiveProxyHeader(source.read, OPTIONS);
        expect(length).toBe(header.length);
        expect(parsed.source?.port).toBe(40000);
        expect(source.rest()).toEqual(FIRST_MESSAGE);
      }
    });
  }

  it('reads LOCAL with no source address', async () => {
    const { header } = await receiveProxyHeader(peer(proxyHeaderV2('LOCAL'), 4).read, OPTIONS);
    expect(header.command).toBe('LOCAL');
    expect(header.source).toBeUndefined();
  });

  it('refuses other bytes, a FIN inside the header, and a header too slow', async () => {
    const junk = Uint8Array.from(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await expect(receiveProxyHeader(peer(junk, 64).read, OPTIONS)).rejects.toThrow(
      ProxyProtocolError,
    );
    const cut = proxyHeaderV1(CLIENT, SERVER).subarray(0, 20);
    await expect(receiveProxyHeader(peer(cut, 64, true).read, OPTIONS)).rejects.toThrow(
      /peer closed/,
    );
    // Nothing at all, then FIN: no header was sent (a layer-4 health check).
    await expect(
      receiveProxyHeader(peer(new Uint8Array(), 64, true).read, OPTIONS),
    ).rejects.toThrow(ConnectionClosedError);
    await expect(
      receiveProxyHeader(peer(cut, 64).read, { ...OPTIONS, timeout: 20 }),
    ).rejects.toThrow(/within 20 ms/);
  });

  it('refuses a v2 header announcing more than maxHeader', async () => {
    const big = proxyHeaderV2({ source: CLIENT, destination: SERVER }, [
      [0xe0, new Uint8Array(600)],
    ]);
    await expect(
      receiveProxyHeader(peer(big, 1024).read, { ...OPTIONS, maxHeader: 256 }),
    ).rejects.toThrow(ProxyProtocolError);
  });
});
