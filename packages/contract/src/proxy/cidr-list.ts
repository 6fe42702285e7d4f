// `--proxy-allow 10.0.0.0/8,::1`: the peers allowed to send a PROXY header,
// checked against the real peer before a byte of the header is parsed (a
// header from anyone else would let them claim any client address).
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';

/** One parsed `ADDRESS/PREFIX` block. */
interface Cidr {
  readonly bytes: Uint8Array;
  readonly prefix: number;
}

/** A set of address blocks; `contains` answers for IPv4, IPv6 and IPv4-mapped IPv6 peers. */
export class CidrList {
  readonly #blocks: readonly Cidr[];
  /** The text it was parsed from, for messages. */
  readonly text: string;

  private constructor(blocks: readonly Cidr[], text: string) {
    this.#blocks = blocks;
    this.text = text;
  }

  /** Parses `10.0.0.0/8,192.168.1.7,::1/128`; a bare address is a /32 or /128. Bad input: one `UsageError` line. */
  static parse(text: string): CidrList {
    const blocks = text.split(',').map((item) => parseCidr(item.trim(), text));
    return new CidrList(blocks, text);
  }

  /** True when `host` (as Node reports a peer) lies in one of the blocks. */
  contains(host: string): boolean {
    const bytes = addressBytes(unmapped(host));
    if (!bytes) return false;
    return this.#blocks.some(
      (block) => block.bytes.length === bytes.length && inBlock(bytes, block),
    );
  }
}

function parseCidr(item: string, text: string): Cidr {
  const [address = '', prefixText, extra] = item.split('/');
  const bytes = addressBytes(address);
  const bits = bytes ? bytes.length * 8 : 0;
  const prefix =
    prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : -1;
  if (!bytes || extra !== undefined || prefix < 0 || prefix > bits) {
    throw new UsageError(
      `bad address block "${item}" in "${text}" (expected e.g. 10.0.0.0/8 or ::1/128)`,
    );
  }
  return { bytes, prefix };
}

function inBlock(bytes: Uint8Array, { bytes: base, prefix }: Cidr): boolean {
  for (let bit = 0; bit < prefix; bit += 8) {
    const mask = prefix - bit >= 8 ? 0xff : (0xff << (8 - (prefix - bit))) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (base[bit / 8]! & mask)) return false;
  }
  return true;
}

/** `::ffff:10.1.2.3` (an IPv4 peer on a dual-stack socket) → `10.1.2.3`. */
function unmapped(host: string): string {
  const match = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  return match ? match[1]! : host;
}

function addressBytes(address: string): Uint8Array | undefined {
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return undefined;
  const [head = '', tail] = address.split('::') as [string, string?];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const expand = (parts: string[]) =>
    parts.flatMap((p) => (p.includes('.') ? dottedToGroups(p) : [Number.parseInt(p, 16)]));
  const left = expand(groups(head));
  const right = tail === undefined ? [] : expand(groups(tail));
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(all.flatMap((g) => [g >> 8, g & 0xff]));
}

function dottedToGroups(dotted: string): number[] {
  const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
  return [(a << 8) | b, (c << 8) | d];
}
