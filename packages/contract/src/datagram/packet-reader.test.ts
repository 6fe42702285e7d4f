import { describe, expect, it } from 'vitest';
import { PacketReader } from './packet-reader.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('PacketReader', () => {
  it('reads lines, with or without \\r, the last one without a newline', () => {
    const reader = new PacketReader(bytes('a\r\nb\nc'));
    expect([reader.readLine(), reader.readLine(), reader.readLine(), reader.readLine()]).toEqual([
      'a',
      'b',
      'c',
      null,
    ]);
  });

  it('reads in pieces, then empty at the end', () => {
    const reader = new PacketReader(bytes('hello'));
    expect(new TextDecoder().decode(reader.read(2))).toBe('he');
    expect(reader.text()).toBe('llo');
    expect(reader.read().length).toBe(0);
  });

  it('an empty datagram has no lines', () => {
    expect(new PacketReader(new Uint8Array(0)).readLine()).toBeNull();
  });
});
