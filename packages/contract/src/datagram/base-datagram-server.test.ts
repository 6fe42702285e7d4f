import { describe, expect, it } from 'vitest';
import type { Address } from '../address.js';
import type { ModelDescription } from '../server-description.js';
import { TEST_CLIENT_ADDRESS } from '../testing/serve-datagram.js';
import { BaseDatagramServer } from './base-datagram-server.js';
import type { DatagramHandlerSpec } from './datagram-handler-reference.js';
import type { DatagramServerOptions } from './datagram-server-options.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The pipeline without a socket: `deliver` is a datagram arriving, `sent` what went out. */
class MemoryDatagramServer extends BaseDatagramServer {
  readonly model = 'test';
  readonly mode = 'memory';
  readonly sent: Array<[string, Address]> = [];
  bound = false;

  constructor(handler: DatagramHandlerSpec, options: DatagramServerOptions = {}) {
    super(handler, { port: 0, log: () => {}, ...options });
  }
  deliver(data: string | Uint8Array, client = TEST_CLIENT_ADDRESS): void {
    this.datagramReceived(typeof data === 'string' ? new TextEncoder().encode(data) : data, client);
  }
  protected async bind(): Promise<Address> {
    this.bound = true;
    return { host: '127.0.0.1', port: 9999, family: 'IPv4' };
  }
  protected async sendTo(data: Uint8Array, client: Address): Promise<void> {
    if (!this.bound) throw new Error('socket closed');
    this.sent.push([text(data), client]);
  }
  protected async unbind(): Promise<void> {
    this.bound = false;
  }
  protected describeModel(): ModelDescription {
    return { io: 'memory', completion: 'none', concurrency: 'none', notes: [] };
  }
}

async function started(handler: DatagramHandlerSpec, options?: DatagramServerOptions) {
  const server = new MemoryDatagramServer(handler, options);
  await server.listen();
  return server;
}

describe('BaseDatagramServer', () => {
  it('answers each datagram to its sender and counts it', async () => {
    const server = await started('echo');
    const other = { ...TEST_CLIENT_ADDRESS, port: 40001 };
    const first = server.handleRequest();
    server.deliver('a');
    expect(await first).toBe('replied');
    const second = server.handleRequest();
    server.deliver('b', other);
    expect(await second).toBe('replied');
    await server.close();
    expect(server.sent).toEqual([
      ['a', TEST_CLIENT_ADDRESS],
      ['b', other],
    ]);
    expect(server.stats()).toMatchObject({ received: 2, replied: 2, active: 0 });
  });

  it('drops an oversized datagram unread and counts it; the next one is served', async () => {
    const server = await started('echo', { limits: { maxPacketSize: 4 } });
    server.deliver('12345');
    const next = server.handleRequest();
    server.deliver('1234');
    expect(await next).toBe('replied');
    expect(server.stats()).toMatchObject({ received: 2, oversized: 1, replied: 1 });
    await server.close();
  });

  it('drops datagrams past maxDatagramsInFlight', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const server = await started(
      async () => {
        await gate;
        return 'late';
      },
      { limits: { maxDatagramsInFlight: 2 } },
    );
    for (const n of [1, 2, 3]) server.deliver(String(n));
    expect(server.stats()).toMatchObject({ received: 3, dropped: 1, active: 2 });
    release();
    await server.shutdown();
    expect(server.stats()).toMatchObject({ replied: 2, active: 0 });
  });

  it('a throwing handler: that request fails and is logged, the server keeps serving', async () => {
    const lines: string[] = [];
    const server = await started(
      ({ data }) => {
        if (text(data) === 'boom') throw new Error('on purpose');
        return 'ok';
      },
      { log: (line) => lines.push(line) },
    );
    const failed = server.handleRequest();
    server.deliver('boom');
    expect(await failed).toBe('failed');
    const next = server.handleRequest();
    server.deliver('fine');
    expect(await next).toBe('replied');
    expect(lines[0]).toMatch(
      /error while handling datagram from 127\.0\.0\.1:40000: Error: on purpose/,
    );
    await server.close();
  });

  it('verifyRequest returning false drops the datagram before any handler runs', async () => {
    const server = await started('echo');
    server.verifyRequest = () => false;
    server.deliver('x');
    expect(server.stats()).toMatchObject({ received: 1, refused: 1, active: 0 });
    await server.close();
    expect(server.sent).toEqual([]);
  });

  it('a request past datagramTimeout: its signal fires, it counts as timedOut, its reply is discarded', async () => {
    let reason: unknown;
    const server = await started(
      ({ signal }) =>
        new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => {
            reason = signal.reason;
            setTimeout(() => resolve('too late'), 10);
          }),
        ),
      { limits: { datagramTimeout: 50 } },
    );
    const outcome = server.handleRequest();
    server.deliver('x');
    expect(await outcome).toBe('timedOut');
    expect((reason as { code?: string }).code).toBe('ERR_IOMODELS_DATAGRAM_TIMEOUT');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(server.sent).toEqual([]);
    await server.close();
  });

  it('close: requests in flight get the grace and their replies; later ones are abandoned; arrivals while closing are dropped', async () => {
    const server = await started(
      ({ data, signal }) =>
        text(data) === 'quick'
          ? new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('bye')))
          : new Promise<string>(() => {}),
      { limits: { datagramTimeout: 60_000 } },
    );
    server.deliver('quick');
    server.deliver('stuck');
    const closing = server.close({ timeout: 50 });
    server.deliver('late');
    const report = await closing;
    expect(report).toEqual({ completed: 1, interrupted: 0, aborted: 0, abandoned: 1 });
    expect(server.sent.map(([data]) => data)).toEqual(['bye']);
    expect(server.stats()).toMatchObject({ received: 3, dropped: 1, replied: 1 });
    expect(server.bound).toBe(false);
    await expect(server.listen()).rejects.toThrow(/closed/);
  });

  it('an unknown or stream handler fails listen() before binding', async () => {
    const server = new MemoryDatagramServer('nope');
    await expect(server.listen()).rejects.toThrow(/unknown handler/);
    expect(server.bound).toBe(false);
  });
});
