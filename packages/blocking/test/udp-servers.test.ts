// The three UDP servers beyond the shared datagram suite: where each
// datagram is handled (this thread, a pool thread, a pool child), arrival
// order and one-at-a-time for the serial server, a throwing handler, a
// crashing child, a handler past datagramTimeout, the queue bound.
import { ForkingUDPServer, ThreadingUDPServer, UDPServer } from '@iomodels/blocking';
import { describe, expect, it } from 'vitest';
import { eventually } from './helpers.js';
import { datagramFixture, useUdpServers } from './udp-helpers.js';

const where = /^pid=(\d+) thread=(\d+) got=(.*)$/;

describe('UDPServer (serial)', () => {
  const udp = useUdpServers(UDPServer);

  it('handles each datagram on this thread', async () => {
    const server = await udp.start(datagramFixture('WhereHandler'));
    const reply = await udp.client(server).ask('hi');
    expect(reply).toBe(`pid=${process.pid} thread=0 got=hi`);
    expect(server.describe().mode).toBe('serial');
  });

  it('handles one datagram at a time, in arrival order', async () => {
    const server = await udp.start(datagramFixture('SleepingDatagramHandler'));
    const client = udp.client(server);
    for (const [ms, tag] of [
      [200, 'a'],
      [0, 'b'],
      [50, 'c'],
    ] as const)
      client.send(`sleep:${ms}:${tag}`);
    // Three small datagrams on loopback: the kernel's receive buffer holds them all.
    await eventually(() => client.replies.length === 3);
    expect(client.replies.map((reply) => reply.split(' ')[0])).toEqual(['a', 'b', 'c']);
    for (const reply of client.replies) expect(reply).toMatch(/ at-once=1$/);
  });

  it('drops what waits past maxDatagramsInFlight, counts it, and serves on', async () => {
    const server = await udp.start(datagramFixture('SleepingDatagramHandler'), {
      limits: { maxDatagramsInFlight: 1 },
    });
    const client = udp.client(server);
    client.send('sleep:300:first');
    await eventually(() => server.stats().active === 1);
    client.send('sleep:0:second');
    await eventually(() => server.stats().dropped === 1);
    expect(await client.ask('sleep:0:third', (r) => r.startsWith('third'))).toBe('third at-once=1');
    expect(client.replies).not.toContain('second at-once=1');
  });

  it('lets a handler stuck past datagramTimeout give up its turn', async () => {
    const server = await udp.start(datagramFixture('HangingDatagramHandler'), {
      limits: { datagramTimeout: 100 },
    });
    const client = udp.client(server);
    client.send('hang');
    await eventually(() => server.stats().timedOut === 1);
    expect(client.replies).toEqual([]);
    expect(server.stats().active).toBe(0);
  });
});

describe.each([
  ['threading', ThreadingUDPServer, { maxThreads: 2, spareThreads: 1 }],
  ['forking', ForkingUDPServer, { maxChildren: 2, spareChildren: 1 }],
] as const)('%sUDPServer', (mode, Server, poolOptions) => {
  const udp = useUdpServers(Server as typeof ThreadingUDPServer);

  it(`handles each datagram in a pool ${mode === 'threading' ? 'thread' : 'child'}`, async () => {
    const server = await udp.start(datagramFixture('WhereHandler'), poolOptions);
    const [, pid, thread, got] = where.exec(await udp.client(server).ask('hi'))!;
    expect(got).toBe('hi');
    if (mode === 'threading') {
      expect(Number(pid)).toBe(process.pid);
      expect(Number(thread)).toBeGreaterThan(0);
    } else {
      expect(Number(pid)).not.toBe(process.pid);
    }
  });

  it('serves the built-in ivr by its short name', async () => {
    const server = await udp.start('ivr', poolOptions);
    expect(await udp.client(server).ask('')).toBe('欢迎致电 10086,请输入1xxx,0转人工服务.');
  });

  it('drops and logs the request of a throwing handler, and serves on', async () => {
    const logged: string[] = [];
    const server = await udp.start(datagramFixture('ThrowingDatagramHandler'), {
      ...poolOptions,
      log: (line: string) => logged.push(line),
    });
    const client = udp.client(server);
    client.send('boom');
    await eventually(() => server.stats().failed === 1);
    expect(logged.join('\n')).toContain('boom from the datagram handler');
    expect(await client.ask('next')).toBe('next');
    expect(client.replies).not.toContain('boom');
  });

  it('times out a hanging handler: no reply, counted, the runner freed', async () => {
    const logged: string[] = [];
    const server = await udp.start(datagramFixture('HangingDatagramHandler'), {
      ...poolOptions,
      limits: { datagramTimeout: 200 },
      log: (line: string) => logged.push(line),
    });
    const client = udp.client(server);
    client.send('hang');
    await eventually(() => server.stats().timedOut === 1);
    // The handler heard its signal (threads) or its child was killed (forking): the runner is free again.
    await eventually(() => server.poolStats().busy === 0);
    expect(client.replies).toEqual([]);
    // In a thread the handler's signal says why; a child is killed before it could say anything.
    if (mode === 'threading') {
      await eventually(() => logged.length > 0);
      expect(logged.join('\n')).toMatch(/DatagramTimeoutError: datagram request ran past 200 ms/);
    }
  });
});

describe.each([
  ['forking', ForkingUDPServer, { maxChildren: 1, spareChildren: 1 }],
  ['threading', ThreadingUDPServer, { maxThreads: 1, spareThreads: 1 }],
] as const)('%sUDPServer: a runner that dies', (mode, Server, poolOptions) => {
  const udp = useUdpServers(Server as typeof ThreadingUDPServer);

  it('loses its own datagram only (counted failed); the pool replaces it', async () => {
    const logged: string[] = [];
    const server = await udp.start(datagramFixture('CrashingDatagramHandler'), {
      ...poolOptions,
      log: (line: string) => logged.push(line),
    });
    const client = udp.client(server);
    const runner = (reply: string) => /^pid=(\d+) thread=(\d+) /.exec(reply)!.slice(1).join('/');
    const before = runner(await client.ask('one'));
    client.send('crash');
    await eventually(() => server.stats().failed === 1);
    // A child's death is logged; a thread that exits (process.exit in a worker ends only the thread) is not an error.
    if (mode === 'forking') expect(logged.join('\n')).toMatch(/died \(code 7\) while serving/);
    const after = runner(await client.ask('two', (r) => r.endsWith(' two')));
    expect(after).not.toBe(before);
    expect(client.replies.some((reply) => reply.includes('crash'))).toBe(false);
  });
});

describe('UDPServer on udp6:', () => {
  const udp = useUdpServers(UDPServer);

  it('binds ::1 and answers an IPv6 client', async () => {
    const server = await udp.start('echo', { host: undefined, port: undefined, listen: 'udp6:0' });
    expect(server.address).toMatchObject({ host: '::1', family: 'IPv6' });
    const client = udp.client(server);
    expect(await client.ask('over six')).toBe('over six');
  });
});
