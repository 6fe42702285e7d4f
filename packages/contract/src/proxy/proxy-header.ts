// The PROXY protocol header (HAProxy's doc/proxy-protocol.txt, versions 1
// and 2) as a pure parser: bytes in → "incomplete" (a value), a header, or a
// `ProxyProtocolError`. No IO: each model reads the bytes in its own style
// and hands them here, so the rules live once.
import { isIPv4, isIPv6 } from 'node:net';
import type { Address } from '../address.js';
import { crc32c } from './crc32c.js';
import { ProxyProtocolError } from './proxy-protocol-error.js';

/** Which header a listener expects: `auto` takes either, told apart by the first bytes. */
export type ProxyProtocolVersion = 'v1' | 'v2' | 'auto';

/** One type-length-value record of a v2 header. */
export interface ProxyTlv {
  readonly type: number;
  readonly value: Uint8Array;
}

/** What a PROXY header says about the connection it precedes. */
export interface ProxyHeader {
  readonly version: 1 | 2;
  /**
   * `PROXY`: the connection was relayed for `source`. `LOCAL`: the proxy
   * itself connected (a health check); use the real peer's address.
   */
  readonly command: 'PROXY' | 'LOCAL';
  /** The original client and the address it connected to; absent for LOCAL, UNKNOWN and AF_UNSPEC. */
  readonly source?: Address;
  readonly destination?: Address;
  /** For AF_UNIX (v2 only): the original socket paths. */
  readonly sourcePath?: string;
  readonly destinationPath?: string;
  /** v2: STREAM or DGRAM (UNSPEC for LOCAL); v1 is always STREAM. */
  readonly transport: 'STREAM' | 'DGRAM' | 'UNSPEC';
  /** v2's records, in order (empty for v1). The common ones are decoded below. */
  readonly tlvs: readonly ProxyTlv[];
  /** PP2_TYPE_ALPN: the protocol the client negotiated (e.g. `h2`). */
  readonly alpn?: string;
  /** PP2_TYPE_AUTHORITY: the host name the client asked for (TLS SNI). */
  readonly authority?: string;
  /** PP2_TYPE_UNIQUE_ID: the proxy's id for this connection (≤ 128 bytes). */
  readonly uniqueId?: Uint8Array;
}

/** A complete header and how many bytes of the input it took; the rest belongs to the handler. */
export interface ProxyHeaderResult {
  readonly header: ProxyHeader;
  readonly length: number;
}

/** More bytes are needed to decide. */
export const PROXY_INCOMPLETE = Symbol('PROXY_INCOMPLETE');

/**
 * Largest header a receiver accepts. v1 is at most 107 bytes by the spec; v2
 * may announce up to 64 KiB, but HAProxy's own records (SSL, authority ≤ 255,
 * unique id ≤ 128) fit in a few hundred, so 4 KiB bounds a hostile peer
 * without refusing any real proxy.
 */
export const DEFAULT_MAX_PROXY_HEADER = 4096;

/** The longest v1 header the spec allows, CRLF included. */
export const PROXY_V1_MAX = 107;

const V1_PREFIX = Uint8Array.from(Buffer.from('PROXY '));
const V2_SIGNATURE = Uint8Array.of(
  0x0d,
  0x0a,
  0x0d,
  0x0a,
  0x00,
  0x0d,
  0x0a,
  0x51,
  0x55,
  0x49,
  0x54,
  0x0a,
);
const V2_FIXED = 16;

const PP2_TYPE_ALPN = 0x01;
const PP2_TYPE_AUTHORITY = 0x02;
const PP2_TYPE_CRC32C = 0x03;
const PP2_TYPE_UNIQUE_ID = 0x05;

/**
 * Parses the PROXY header at the start of `input` (everything received so
 * far). Returns `PROXY_INCOMPLETE` when the bytes so far are a valid prefix
 * of a header; throws `ProxyProtocolError` as soon as they cannot be one.
 */
export function parseProxyHeader(
  input: Uint8Array,
  version: ProxyProtocolVersion = 'auto',
  maxLength: number = DEFAULT_MAX_PROXY_HEADER,
): ProxyHeaderResult | typeof PROXY_INCOMPLETE {
  const v1 = version === 'v2' ? 'no' : matchesPrefix(input, V1_PREFIX);
  const v2 = version === 'v1' ? 'no' : matchesPrefix(input, V2_SIGNATURE);
  if (v1 === 'no' && v2 === 'no') throw new ProxyProtocolError(noHeader(version));
  if (v1 === 'yes') return parseV1(input);
  if (v2 === 'yes') return parseV2(input, maxLength);
  return PROXY_INCOMPLETE;
}

function noHeader(version: ProxyProtocolVersion): string {
  const which = version === 'auto' ? 'v1 or v2' : version;
  return `expected a PROXY protocol ${which} header, got other bytes`;
}

/** `yes` = the input starts with `prefix`; `maybe` = it is a shorter part of it. */
function matchesPrefix(input: Uint8Array, prefix: Uint8Array): 'yes' | 'maybe' | 'no' {
  const n = Math.min(input.length, prefix.length);
  for (let i = 0; i < n; i++) if (input[i] !== prefix[i]) return 'no';
  return n === prefix.length ? 'yes' : 'maybe';
}

function parseV1(input: Uint8Array): ProxyHeaderResult | typeof PROXY_INCOMPLETE {
  const window = input.subarray(0, PROXY_V1_MAX);
  let end = -1;
  for (let i = V1_PREFIX.length; i < window.length - 1; i++) {
    if (window[i] === 0x0d && window[i + 1] === 0x0a) {
      end = i;
      break;
    }
    // Only printable US-ASCII can appear in a v1 line.
    if (window[i]! < 0x20 || window[i]! > 0x7e)
      throw new ProxyProtocolError('v1 header holds a non-ASCII byte');
  }
  if (end < 0) {
    if (input.length >= PROXY_V1_MAX)
      throw new ProxyProtocolError(`v1 header has no CRLF within ${PROXY_V1_MAX} bytes`);
    const last = window[window.length - 1];
    if (last !== undefined && last !== 0x0d && (last < 0x20 || last > 0x7e)) {
      throw new ProxyProtocolError('v1 header holds a non-ASCII byte');
    }
    return PROXY_INCOMPLETE;
  }
  const line = Buffer.from(window.subarray(V1_PREFIX.length, end)).toString('latin1');
  const fields = line.split(' ');
  const length = end + 2;
  const base = { version: 1, command: 'PROXY', transport: 'STREAM', tlvs: [] } as const;
  // "UNKNOWN" may be followed by anything up to the CRLF; the receiver uses the real peer.
  if (fields[0] === 'UNKNOWN') return { header: base, length };
  if (fields.length !== 5)
    throw new ProxyProtocolError(`v1 header "${line}" does not have 5 fields after PROXY`);
  const [protocol, srcHost, dstHost, srcPort, dstPort] = fields as [
    string,
    string,
    string,
    string,
    string,
  ];
  const family = protocol === 'TCP4' ? 'IPv4' : protocol === 'TCP6' ? 'IPv6' : undefined;
  if (!family)
    throw new ProxyProtocolError(`v1 protocol must be TCP4, TCP6 or UNKNOWN, got "${protocol}"`);
  const valid = family === 'IPv4' ? isIPv4 : isIPv6;
  for (const host of [srcHost, dstHost]) {
    if (!valid(host))
      throw new ProxyProtocolError(`v1 ${protocol} header has a bad address "${host}"`);
  }
  return {
    header: {
      ...base,
      source: { host: srcHost, port: parseV1Port(srcPort), family },
      destination: { host: dstHost, port: parseV1Port(dstPort), family },
    },
    length,
  };
}

function parseV1Port(text: string): number {
  // Decimal 0-65535 without leading zeros, as the spec writes them.
  if (!/^(0|[1-9]\d{0,4})$/.test(text) || Number(text) > 65_535) {
    throw new ProxyProtocolError(`v1 header has a bad port "${text}"`);
  }
  return Number(text);
}

function parseV2(
  input: Uint8Array,
  maxLength: number,
): ProxyHeaderResult | typeof PROXY_INCOMPLETE {
  if (input.length < V2_FIXED) return PROXY_INCOMPLETE;
  const versionCommand = input[12]!;
  if (versionCommand >> 4 !== 2)
    throw new ProxyProtocolError(`v2 header has version ${versionCommand >> 4}, not 2`);
  const commandBits = versionCommand & 0x0f;
  if (commandBits > 1)
    throw new ProxyProtocolError(`v2 header has an unknown command ${commandBits}`);
  const familyBits = input[13]! >> 4;
  const transportBits = input[13]! & 0x0f;
  if (familyBits > 3 || transportBits > 2) {
    throw new ProxyProtocolError(
      `v2 header has an unknown family/transport byte 0x${input[13]!.toString(16)}`,
    );
  }
  const bodyLength = (input[14]! << 8) | input[15]!;
  const length = V2_FIXED + bodyLength;
  if (length > maxLength)
    throw new ProxyProtocolError(
      `v2 header of ${length} bytes exceeds the ${maxLength}-byte limit`,
    );
  if (input.length < length) return PROXY_INCOMPLETE;

  const body = input.subarray(V2_FIXED, length);
  const addressLength = [0, 12, 36, 216][familyBits]!;
  if (body.length < addressLength) {
    throw new ProxyProtocolError(
      `v2 header is ${body.length} bytes long, its address block needs ${addressLength}`,
    );
  }
  const command = commandBits === 1 ? 'PROXY' : 'LOCAL';
  const tlvs = parseTlvs(body.subarray(addressLength));
  checkCrc(input.subarray(0, length), tlvs);
  const header: ProxyHeader = {
    version: 2,
    command,
    transport: (['UNSPEC', 'STREAM', 'DGRAM'] as const)[transportBits]!,
    tlvs,
    ...decodeTlvs(tlvs),
    // LOCAL: "the receiver must ignore the address information" (spec, 2.2).
    ...(command === 'LOCAL' ? {} : decodeAddresses(familyBits, body)),
  };
  return { header, length };
}

function decodeAddresses(family: number, body: Uint8Array): Partial<ProxyHeader> {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  if (family === 1) {
    const host = (at: number) => body.subarray(at, at + 4).join('.');
    return {
      source: { host: host(0), port: view.getUint16(8), family: 'IPv4' },
      destination: { host: host(4), port: view.getUint16(10), family: 'IPv4' },
    };
  }
  if (family === 2) {
    return {
      source: { host: ipv6(body.subarray(0, 16)), port: view.getUint16(32), family: 'IPv6' },
      destination: { host: ipv6(body.subarray(16, 32)), port: view.getUint16(34), family: 'IPv6' },
    };
  }
  if (family === 3)
    return {
      sourcePath: unixPath(body.subarray(0, 108)),
      destinationPath: unixPath(body.subarray(108, 216)),
    };
  return {};
}

/** An IPv6 address in its compressed text form (RFC 5952), as Node prints peers. */
function ipv6(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // The longest run of two or more zero groups becomes "::".
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

function unixPath(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

function parseTlvs(bytes: Uint8Array): ProxyTlv[] {
  const tlvs: ProxyTlv[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (bytes.length - at < 3) throw new ProxyProtocolError('v2 header ends inside a TLV');
    const length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    if (at + 3 + length > bytes.length) throw new ProxyProtocolError('v2 TLV runs past the header');
    tlvs.push({ type: bytes[at]!, value: bytes.subarray(at + 3, at + 3 + length) });
    at += 3 + length;
  }
  return tlvs;
}

function decodeTlvs(
  tlvs: readonly ProxyTlv[],
): Pick<ProxyHeader, 'alpn' | 'authority' | 'uniqueId'> {
  const decoded: { alpn?: string; authority?: string; uniqueId?: Uint8Array } = {};
  for (const { type, value } of tlvs) {
    if (type === PP2_TYPE_ALPN) decoded.alpn = Buffer.from(value).toString('latin1');
    else if (type === PP2_TYPE_AUTHORITY) decoded.authority = Buffer.from(value).toString('utf8');
    else if (type === PP2_TYPE_UNIQUE_ID) {
      if (value.length > 128) throw new ProxyProtocolError('v2 unique id is longer than 128 bytes');
      decoded.uniqueId = value;
    }
  }
  return decoded;
}

/** PP2_TYPE_CRC32C: the checksum of the whole header with this field zeroed; a mismatch is refused. */
function checkCrc(header: Uint8Array, tlvs: readonly ProxyTlv[]): void {
  const tlv = tlvs.find((t) => t.type === PP2_TYPE_CRC32C);
  if (!tlv) return;
  if (tlv.value.length !== 4) throw new ProxyProtocolError('v2 CRC32C record is not 4 bytes');
  const expected = new DataView(tlv.value.buffer, tlv.value.byteOffset, 4).getUint32(0);
  const copy = Uint8Array.from(header);
  copy.fill(
    0,
    tlv.value.byteOffset - header.byteOffset,
    tlv.value.byteOffset - header.byteOffset + 4,
  );
  if (crc32c(copy) !== expected) throw new ProxyProtocolError('v2 header fails its CRC32C check');
}
