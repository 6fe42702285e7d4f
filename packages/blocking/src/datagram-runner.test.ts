import { DEFAULT_LIMITS, type ServerInfo } from '@iomodels/contract/core';
import { describe, expect, it } from 'vitest';
import { runDatagramRunner } from './datagram-runner.js';
import type { DatagramServeMessage } from './datagram-wire.js';
import { base64, type DispatcherMessage, type RunnerMessage, unbase64 } from './wire.js';

const fixtures = new URL('../test/fixtures/datagram-handlers.mjs', import.meta.url).href;
const address = { host: '127.0.0.1', port: 40000, family: 'IPv4' } as const;
const server: ServerInfo = { model: 'blocking', mode: 'test', address, limits: DEFAULT_LIMITS };

/** A runner over an in-memory side: what it posted, and a way to send it messages. */
async function startRunner(exportName: string) {
  const posted: RunnerMessage[] = [];
  let deliver: (message: DispatcherMessage) => void = () => {};
  const ready = await runDatagramRunner(
    { handler: { module: fixtures, export: exportName }, datagram: true },
    {
      post: (message) => posted.push(message),
      listen: (listener) => {
        deliver = (message) => listener(message, undefined);
      },
    },
  );
  const datagram = (id: number, text: string): DatagramServeMessage => ({
    type: 'datagram',
    id,
    data: base64(new TextEncoder().encode(text)),
    client: address,
    local: address,
    ...(id === 1 && { server }),
  });
  const done = async (id: number) => {
    for (let i = 0; i < 500; i++) {
      const found = posted.find((m) => m.type === 'done' && m.id === id);
      if (found?.type === 'done') return found;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`no done for ${id}: ${JSON.stringify(posted)}`);
  };
  return { ready, posted, send: (m: DispatcherMessage) => deliver(m), datagram, done };
}

describe('runDatagramRunner', () => {
  it('answers each datagram with one done that carries the reply', async () => {
    const runner = await startRunner('ThrowingDatagramHandler');
    expect(runner.ready).toBe(true);
    expect(runner.posted).toEqual([{ type: 'ready' }]);
    runner.send(runner.datagram(1, 'hello'));
    const done = await runner.done(1);
    expect(done).toMatchObject({ outcome: 'completed', datagram: { outcome: 'replied' } });
    expect(new TextDecoder().decode(unbase64(done.datagram!.reply!))).toBe('hello');
  });

  it('reports a throwing handler as an error, then a failed done without a reply', async () => {
    const runner = await startRunner('ThrowingDatagramHandler');
    runner.send(runner.datagram(1, 'boom'));
    const done = await runner.done(1);
    expect(done).toEqual({
      type: 'done',
      id: 1,
      outcome: 'failed',
      datagram: { outcome: 'failed' },
    });
    const error = runner.posted.find((m) => m.type === 'error');
    expect(error).toMatchObject({ id: 1, error: { message: 'boom from the datagram handler' } });
  });

  it('fires the handler signal with DatagramTimeoutError when the server says it timed out', async () => {
    const runner = await startRunner('HangingDatagramHandler');
    runner.send(runner.datagram(1, 'hang'));
    runner.send({ type: 'abort', id: 1, timedOut: true });
    await runner.done(1);
    const error = runner.posted.find((m) => m.type === 'error');
    expect(error).toMatchObject({
      error: {
        name: 'DatagramTimeoutError',
        message: `datagram request ran past ${DEFAULT_LIMITS.datagramTimeout} ms (datagramTimeout)`,
      },
    });
  });

  it('says fatal, once, when the handler cannot be loaded', async () => {
    const runner = await startRunner('NoSuchHandler');
    expect(runner.ready).toBe(false);
    expect(runner.posted).toHaveLength(1);
    expect(runner.posted[0]).toMatchObject({
      type: 'fatal',
      error: { message: /no export "NoSuchHandler"/ },
    });
  });
});
