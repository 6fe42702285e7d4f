import { describe, expect, it } from 'vitest';
import { PacketWriter } from './packet-writer.js';

describe('PacketWriter', () => {
  it('gathers every write into one datagram', () => {
    const writer = new PacketWriter();
    writer.write('ab');
    writer.write(Uint8Array.of(0x63));
    expect(new TextDecoder().decode(writer.getValue())).toBe('abc');
    expect(writer.length).toBe(3);
  });

  it('tells "nothing written" from "an empty reply written"', () => {
    const writer = new PacketWriter();
    expect(writer.written).toBe(false);
    writer.write('');
    expect(writer.written).toBe(true);
    expect(writer.getValue().length).toBe(0);
  });
});
