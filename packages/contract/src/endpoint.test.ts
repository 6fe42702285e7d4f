import { describe, expect, it } from 'vitest';
import {
  formatServerEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  SD_LISTEN_FDS_START,
  socketActivationFd,
} from './endpoint.js';
import { UsageError } from './errors.js';

describe('parseServerEndpoint', () => {
  it.each([
    ['tcp:8009', { kind: 'tcp', host: '127.0.0.1', port: 8009 }],
    ['tcp:0', { kind: 'tcp', host: '127.0.0.1', port: 0 }],
    ['tcp:port=8009:interface=0.0.0.0', { kind: 'tcp', host: '0.0.0.0', port: 8009 }],
    [
      'tcp:8009:interface=\\:\\:1:backlog=50',
      { kind: 'tcp', host: '::1', port: 8009, backlog: 50 },
    ],
    ['tcp:8009:interface=[::1]', { kind: 'tcp', host: '::1', port: 8009 }],
    ['tcp6:8009', { kind: 'tcp', host: '::1', port: 8009 }],
    ['TCP:8009', { kind: 'tcp', host: '127.0.0.1', port: 8009 }],
    ['udp:8009', { kind: 'udp', host: '127.0.0.1', port: 8009 }],
    ['udp6:8009:interface=\\:\\:', { kind: 'udp', host: '::', port: 8009 }],
    ['unix:/run/ivr.sock', { kind: 'unix', path: '/run/ivr.sock', lockfile: false }],
    [
      'unix:address=/run/ivr.sock:mode=660:lockfile=1:backlog=5',
      { kind: 'unix', path: '/run/ivr.sock', mode: 0o660, lockfile: true, backlog: 5 },
    ],
    [
      'unix:/tmp/a\\:b.sock:mode=0600',
      { kind: 'unix', path: '/tmp/a:b.sock', mode: 0o600, lockfile: false },
    ],
    ['fd:3', { kind: 'fd', fd: 3 }],
    ['fd:fileno=7', { kind: 'fd', fd: 7 }],
    ['systemd:', { kind: 'systemd', index: 0 }],
    ['systemd:domain=INET6:index=1', { kind: 'systemd', index: 1, domain: 'INET6' }],
  ])('%s', (text, expected) => {
    expect(parseServerEndpoint(text)).toEqual(expected);
  });

  it.each([
    ['8009', 'expected KIND:ARGUMENTS'],
    ['http:80', 'unknown kind "http"'],
    ['tcp:', 'a port is missing'],
    ['tcp:-1', 'port must be a whole number 0-65535, got "-1"'],
    ['tcp:0x4700', 'got "0x4700"'],
    ['tcp:65536', 'got "65536"'],
    ['tcp:1e3', 'got "1e3"'],
    ['tcp:8009:interface=::1', 'escape a colon inside a value as \\:'],
    ['tcp:8009:backlog=0', 'backlog must be at least 1'],
    ['tcp:8009:colour=red', 'unknown option "colour"'],
    ['tcp:8009:port=8010', '"port" is given twice'],
    ['tcp:port=1:port=2', '"port" is given twice'],
    ['unix:', 'a path is missing'],
    ['unix:/x:mode=999', 'mode must be octal'],
    ['unix:/x:lockfile=yes', 'lockfile must be 0 or 1'],
    ['fd:three', 'fileno must be a whole number'],
    ['systemd:domain=IPX', 'domain must be INET, INET6 or UNIX'],
    ['tcp:8009\\', 'lone "\\"'],
  ])('%s is refused in one line', (text, reason) => {
    let error: unknown;
    try {
      parseServerEndpoint(text);
    } catch (caught) {
      error = caught;
    }
    expect(UsageError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain(`bad endpoint "${text}"`);
    expect(message).toContain(reason);
    expect(message).not.toContain('\n');
  });

  it.each([
    'tcp:8009:interface=\\:\\:1:backlog=50',
    'udp:53:interface=0.0.0.0',
    'unix:/tmp/a\\:b.sock:lockfile=1:mode=0660:backlog=5',
    'fd:4',
    'systemd:index=2:domain=UNIX',
  ])('formats %s so that it parses back to the same endpoint', (text) => {
    const endpoint = parseServerEndpoint(text);
    expect(parseServerEndpoint(formatServerEndpoint(endpoint))).toEqual(endpoint);
  });
});

describe('parseClientEndpoint', () => {
  it.each([
    ['tcp:127.0.0.1:8009', { kind: 'tcp', host: '127.0.0.1', port: 8009 }],
    ['tcp:host=localhost:port=8009', { kind: 'tcp', host: 'localhost', port: 8009 }],
    ['tcp:[::1]:8009', { kind: 'tcp', host: '::1', port: 8009 }],
    ['tcp6:\\:\\:1:8009', { kind: 'tcp', host: '::1', port: 8009 }],
    ['udp:127.0.0.1:8009', { kind: 'udp', host: '127.0.0.1', port: 8009 }],
    ['unix:/run/ivr.sock', { kind: 'unix', path: '/run/ivr.sock' }],
    ['unix:path=/run/ivr.sock', { kind: 'unix', path: '/run/ivr.sock' }],
  ])('%s', (text, expected) => {
    expect(parseClientEndpoint(text)).toEqual(expected);
  });

  it.each([
    ['tcp:127.0.0.1', 'a port is missing'],
    ['tcp:127.0.0.1:0', 'not 0'],
    ['tcp:::1:8009', 'escape a colon'],
    ['fd:3', 'unknown kind "fd"'],
  ])('%s is refused', (text, reason) => {
    expect(() => parseClientEndpoint(text)).toThrow(reason);
  });
});

describe('socketActivationFd', () => {
  const env = { LISTEN_PID: '42', LISTEN_FDS: '2' };

  it('maps an index to the descriptors systemd passed, from 3', () => {
    expect(socketActivationFd(0, env, 42)).toBe(SD_LISTEN_FDS_START);
    expect(socketActivationFd(1, env, 42)).toBe(SD_LISTEN_FDS_START + 1);
  });

  it('refuses variables meant for another process, a missing index and no activation', () => {
    expect(() => socketActivationFd(0, env, 43)).toThrow('LISTEN_PID is 42, not this process (43)');
    expect(() => socketActivationFd(2, env, 42)).toThrow('index 2 but LISTEN_FDS is 2');
    expect(() => socketActivationFd(0, {}, 42)).toThrow('not socket-activated');
    expect(() => socketActivationFd(0, { LISTEN_PID: '42', LISTEN_FDS: 'x' }, 42)).toThrow(
      'LISTEN_FDS is x',
    );
  });
});
