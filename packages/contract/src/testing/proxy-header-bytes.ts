// PROXY protocol headers as a proxy writes them, for tests of a receiver:
// v1 text lines and v2 binary headers (PROXY over TCP, or LOCAL).
import type { Address } from '../address.js';

const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

/** `PROXY TCP4 <src> <dst> <sport> <dport>\r\n` (TCP6 for IPv6 addresses). */
export function proxyHeaderV1(source: Address, destination: Address): Uint8Array {
  const family = source.family === 'IPv6' ? 'TCP6' : 'TCP4';
  const line = `PROXY ${family} ${source.host} ${destination.host} ${source.port} ${destination.port}\r\n`;
  return Uint8Array.from(Buffer.from(line, 'latin1'));
}

/**
 * A v2 header: `PROXY` over TCP from `source` to `destination`, or `LOCAL`
 * (a health check: no addresses). `tlvs` are appended as type-length-value records.
 */
export function proxyHeaderV2(
  relayed: { source: Address; destination: Address } | 'LOCAL',
  tlvs: ReadonlyArray<readonly [type: number, value: Uint8Array]> = [],
): Uint8Array {
  const addresses = relayed === 'LOCAL' ? [] : addressBlock(relayed.source, relayed.destination);
  const records = tlvs.flatMap(([type, value]) => [
    type,
    value.length >> 8,
    value.length & 0xff,
    ...value,
  ]);
  const body = [...addresses, ...records];
  const command = relayed === 'LOCAL' ? 0x20 : 0x21;
  let familyTransport = 0x00;
  if (relayed !== 'LOCAL') familyTransport = relayed.source.family === 'IPv6' ? 0x21 : 0x11;
  return Uint8Array.from([
    ...V2_SIGNATURE,
    command,
    familyTransport,
    body.length >> 8,
    body.length & 0xff,
    ...body,
  ]);
}

function addressBlock(source: Address, destination: Address): number[] {
  const port = (value: number) => [value >> 8, value & 0xff];
  return [
    ...hostBytes(source),
    ...hostBytes(destination),
    ...port(source.port),
    ...port(destination.port),
  ];
}

function hostBytes({ host, family }: Address): number[] {
  if (family === 'IPv4') return host.split('.').map(Number);
  // Expand `::` so the address is 8 groups of 16 bits.
  const [head = '', tail = ''] = host.split('::');
  const left = head ? head.split(':') : [];
  const right = host.includes('::') ? (tail ? tail.split(':') : []) : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.flatMap((group) => {
    const value = Number.parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}
