import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { CidrList } from './cidr-list.js';

describe('CidrList', () => {
  it('matches IPv4, IPv6 and IPv4-mapped peers against their blocks', () => {
    const list = CidrList.parse('10.0.0.0/8, 192.168.1.7, 2001:db8::/32, ::1');
    expect(list.contains('10.200.3.4')).toBe(true);
    expect(list.contains('::ffff:10.1.2.3')).toBe(true);
    expect(list.contains('11.0.0.1')).toBe(false);
    expect(list.contains('192.168.1.7')).toBe(true);
    expect(list.contains('192.168.1.8')).toBe(false);
    expect(list.contains('2001:db8:ffff::1')).toBe(true);
    expect(list.contains('2001:db9::1')).toBe(false);
    expect(list.contains('::1')).toBe(true);
    expect(list.contains('::2')).toBe(false);
    expect(list.contains('not-an-address')).toBe(false);
  });

  it('handles prefixes that end inside a byte, /0, and embedded IPv4 in IPv6', () => {
    const list = CidrList.parse('172.16.0.0/12');
    expect(list.contains('172.31.255.255')).toBe(true);
    expect(list.contains('172.32.0.0')).toBe(false);
    expect(CidrList.parse('0.0.0.0/0').contains('8.8.8.8')).toBe(true);
    expect(CidrList.parse('0.0.0.0/0').contains('::1')).toBe(false);
    expect(CidrList.parse('::ffff:0:0/96').contains('::ffff:1.2.3.4')).toBe(false);
    expect(CidrList.parse('64:ff9b::192.0.2.0/120').contains('64:ff9b::c000:2ff')).toBe(true);
  });

  it.each(['10.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/8/1', '10.0.0.0/x', ''])(
    'refuses %j in one line',
    (text) => {
      let error: unknown;
      try {
        CidrList.parse(text);
      } catch (caught) {
        error = caught;
      }
      expect(UsageError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^bad address block "[^"\n]*" in "[^\n]*" \(expected/,
      );
    },
  );
});
