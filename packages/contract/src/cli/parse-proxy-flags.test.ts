import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { CidrList } from '../proxy/cidr-list.js';
import { parseServerArgs } from './parse-server-args.js';

const spec = { name: 'iomodels-test', modes: ['reactor'] };
const proxyOf = (argv: string[]) => {
  const args = parseServerArgs(argv, spec);
  return args === 'help' ? undefined : args.options.proxyProtocol;
};

describe('--proxy-protocol and --proxy-allow', () => {
  it('are off by default', () => {
    expect(proxyOf([])).toBeUndefined();
  });

  it('take a version and an allow-list, loopback by default', () => {
    const proxy = proxyOf(['--proxy-protocol', 'v2', '--proxy-allow', '10.0.0.0/8,::1']);
    expect(proxy?.version).toBe('v2');
    expect(proxy?.allow).toBeInstanceOf(CidrList);
    const allow = proxy?.allow as CidrList;
    expect([
      allow.contains('10.1.2.3'),
      allow.contains('::1'),
      allow.contains('192.0.2.1'),
    ]).toEqual([true, true, false]);
    const loopback = proxyOf(['--proxy-protocol', 'auto'])?.allow as CidrList;
    expect([loopback.contains('127.0.0.1'), loopback.contains('10.0.0.1')]).toEqual([true, false]);
  });

  it('refuse, in one line, --proxy-allow alone, a bad version and a bad CIDR', () => {
    for (const argv of [
      ['--proxy-allow', '127.0.0.1'],
      ['--proxy-protocol', 'v3'],
      ['--proxy-protocol', 'v1', '--proxy-allow', '10.0.0.0/99'],
    ]) {
      let error: unknown;
      try {
        parseServerArgs(argv, spec);
      } catch (thrown) {
        error = thrown;
      }
      expect(UsageError.isInstance(error)).toBe(true);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
