// CRC-32C (Castagnoli), the checksum PROXY v2's PP2_TYPE_CRC32C record
// carries. A table-driven byte loop: headers are a few hundred bytes, once
// per connection, so speed does not matter and no native code is needed.

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    // 0x82f63b78 is the Castagnoli polynomial, bit-reversed.
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** The CRC-32C of `bytes`, as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
