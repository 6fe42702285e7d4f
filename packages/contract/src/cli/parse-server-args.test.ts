import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UnknownHandlerError, UsageError } from '../errors.js';
import { parseServerArgs, usage } from './parse-server-args.js';

const spec = { name: 'iomodels-test', modes: ['threading', 'serial', 'forking'] };

describe('parseServerArgs', () => {
  it('applies the documented defaults', () => {
    const args = parseServerArgs([], spec);
    expect(args).toMatchObject({
      host: '127.0.0.1',
      port: 8009,
      mode: 'threading',
      grace: 5000,
      backlog: 511,
      workers: 1,
    });
    expect(args !== 'help' && args.metrics).toBeUndefined();
    expect(args !== 'help' && args.handler.export).toBe('IvrHandler');
  });

  it('reads every flag', () => {
    const args = parseServerArgs(
      [
        ...['--host', '::1', '--port', '0', '--handler', 'echo', '--mode', 'forking'],
        ...['--grace', '0.5', '--backlog', '4096', '--workers', '3'],
        ...['--metrics', 'tcp:9464:interface=0.0.0.0'],
      ],
      spec,
    );
    expect(args).toMatchObject({
      host: '::1',
      port: 0,
      mode: 'forking',
      grace: 500,
      backlog: 4096,
      workers: 3,
      metrics: { host: '0.0.0.0', port: 9464 },
      // what every bin hands its server, so none can forget a shared flag
      options: { host: '::1', port: 0, backlog: 4096, shutdownGrace: 500 },
    });
  });

  it.each([
    [['--port', 'x'], /--port must be an integer from 0 to 65535, got "x"/],
    [['--port', '-1'], /^--port must be an integer from 0 to 65535, got "-1"$/],
    [['--port', '0x4700'], /--port must be an integer from 0 to 65535, got "0x4700"/],
    [['--port', '1e3'], /--port must be an integer/],
    [['--port', '08.5'], /--port must be an integer/],
    [['--host', '--port', '1'], /^Option '--host' argument is ambiguous\. [^\n]+$/],
    [['--port', '70000'], /--port must be an integer from 0 to 65535/],
    [['--mode', 'fast'], /--mode must be one of threading, serial, forking/],
    [['--bogus'], /Unknown option/],
    [['extra'], /positional/],
    [['--grace', '-1'], /--grace must be a decimal number >= 0/],
    [['--grace', '1e3'], /--grace must be a decimal number >= 0/],
    [['--backlog', 'x'], /--backlog must be an integer from 1 to 2147483647, got "x"/],
    [['--backlog', ''], /--backlog must be an integer/],
    [['--backlog', '0'], /--backlog must be an integer from 1 to 2147483647, got "0"/],
    [['--backlog=-5'], /--backlog must be an integer from 1/],
    [['--backlog', '1.5'], /--backlog must be an integer from 1/],
    [['--backlog', '2147483648'], /--backlog must be an integer from 1/],
    [['--tls-cert', 'cert.pem'], /^--tls-cert and --tls-key go together$/],
    [['--tls-key', 'key.pem'], /^--tls-cert and --tls-key go together$/],
    [
      ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'],
      /^--tls-cert: cannot read \/nonexistent\/cert\.pem: ENOENT$/,
    ],
    [['--workers', '0'], /--workers must be an integer from 1 to 1024, got "0"/],
    [['--workers', 'many'], /--workers must be an integer from 1 to 1024/],
    [['--metrics', '9464'], /./],
    [
      ['--metrics', 'unix:/tmp/m.sock'],
      /--metrics takes a tcp: endpoint \(HTTP\), got "unix:\/tmp\/m\.sock"/,
    ],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseServerArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseServerArgs(argv, spec)).toThrow(message);
  });

  it('takes --workers auto as one per core', () => {
    expect(parseServerArgs(['--workers', 'auto'], spec)).toMatchObject({
      workers: availableParallelism(),
    });
  });

  it('refuses --workers above 1 for a single-process bin, saying why', () => {
    const single = { ...spec, singleProcess: 'threads already spread' };
    expect(parseServerArgs(['--workers', '1'], single)).toMatchObject({ workers: 1 });
    expect(() => parseServerArgs(['--workers', '2'], single)).toThrow(
      /^--workers must be 1 for iomodels-test: threads already spread$/,
    );
  });

  it('reads --listen as an endpoint, in place of --host/--port', () => {
    const args = parseServerArgs(['--listen', 'unix:/tmp/ivr.sock:mode=660'], spec);
    const listen = { kind: 'unix', path: '/tmp/ivr.sock', mode: 0o660, lockfile: false };
    expect(args).toMatchObject({ listen, options: { listen, backlog: 511 } });
    expect(args !== 'help' && 'port' in args.options).toBe(false);
    expect(parseServerArgs(['--port', '0'], spec)).toMatchObject({
      listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
    });
  });

  it.each([
    [['--listen', 'tcp:0', '--port', '1'], /either --listen or --host\/--port/],
    [['--listen', 'tcp:0', '--host', '::1'], /either --listen or --host\/--port/],
    [['--listen', 'carrier-pigeon:1'], /bad endpoint "carrier-pigeon:1"/],
    [['--listen', 'tcp:0', '--listen=unix:/x'], /--listen is given more than once/],
    [['--listen', 'fd:3', '--workers', '2'], /--workers above 1 needs a tcp: or unix: endpoint/],
    [
      ['--listen', 'unix:/x', '--proxy-protocol', 'v2', '--proxy-allow', '10.0.0.0/8'],
      /--proxy-allow has no meaning on a unix: endpoint/,
    ],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseServerArgs(argv, spec)).toThrow(UsageError);
    expect(() => parseServerArgs(argv, spec)).toThrow(message);
  });

  it('takes --workers with a unix: endpoint (the supervisor binds the socket file)', () => {
    expect(
      parseServerArgs(['--listen', 'unix:/tmp/ivr.sock', '--workers', '2'], spec),
    ).toMatchObject({ workers: 2, listen: { kind: 'unix', path: '/tmp/ivr.sock' } });
  });

  it('rejects an unknown handler', () => {
    expect(() => parseServerArgs(['--handler', 'nope'], spec)).toThrow(UnknownHandlerError);
  });

  it('answers help', () => {
    expect(parseServerArgs(['--help'], spec)).toBe('help');
  });

  it('lists --mode in the usage even for a model with one mode', () => {
    expect(usage(spec)).toContain('  --mode     threading, serial, forking (default threading)');
    const single = usage({ name: 'iomodels-x', modes: ['reactor'] });
    expect(single).toContain('[--mode reactor]');
    expect(single).toContain('  --mode     reactor (the only one)');
  });
});
