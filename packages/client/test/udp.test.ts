// The client over UDP: the SDK's request, retry and timeout, and the CLI's
// dialogue with `--connect udp:`, against a small raw datagram server that
// runs the contract's 10086 menu and can lose replies on purpose.
import dgram from 'node:dgram';
import {
  ConnectionRefusedError,
  ConnectionTimeoutError,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrDatagramHandler,
} from '@iomodels/contract';
import { serveDatagram } from '@iomodels/contract/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatagram } from '../src/datagram-client.js';
import { runCli } from './run-cli.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** The 10086 menu on a UDP port; the first `lose` replies are not sent. Counts what arrived. */
async function ivrServer(lose = 0) {
  const socket = dgram.createSocket('udp4');
  const seen: string[] = [];
  socket.on('message', async (data, rinfo) => {
    seen.push(data.toString());
    const { reply } = await serveDatagram(IvrDatagramHandler, data);
    if (reply === undefined) return;
    if (lose > 0) {
      lose--;
      return;
    }
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  cleanup.push(() => socket.close());
  return { port: socket.address().port, seen };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('connectDatagram', () => {
  it('sends a datagram and resolves with the reply', async () => {
    const { port } = await ivrServer();
    const client = await connectDatagram(`udp:127.0.0.1:${port}`);
    try {
      expect(text(await client.request(''))).toBe(IVR_GREETING);
      expect(text(await client.request('0'))).toBe(IVR_OPERATOR);
    } finally {
      await client.close();
    }
  });

  it('a lost reply: the client retries and the server serves the retry', async () => {
    const { port, seen } = await ivrServer(1);
    const client = await connectDatagram({ port, timeout: 200, retries: 3 });
    try {
      expect(text(await client.request('0'))).toBe(IVR_OPERATOR);
      expect(seen).toEqual(['0', '0']);
    } finally {
      await client.close();
    }
  });

  it('no reply after every retry: ConnectionTimeoutError, after exactly retries + 1 tries', async () => {
    const { port, seen } = await ivrServer(Number.POSITIVE_INFINITY);
    const client = await connectDatagram({ port, timeout: 50, retries: 2 });
    try {
      const error = await client.request('0').catch((e: unknown) => e);
      expect(ConnectionTimeoutError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        `no reply from 127.0.0.1:${port} after 3 tries of 50 ms`,
      );
      expect(seen).toEqual(['0', '0', '0']);
    } finally {
      await client.close();
    }
  });

  it('a port with nothing behind it is refused (the ICMP port unreachable)', async () => {
    const client = await connectDatagram({ port: await closedPort(), timeout: 2_000, retries: 0 });
    try {
      const error = await client.request('0').catch((e: unknown) => e);
      expect(ConnectionRefusedError.isInstance(error)).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('iomodels-client --connect udp:', () => {
  it('runs the seed dialogue, one datagram per line; exit is sent without waiting', async () => {
    const { port, seen } = await ivrServer();
    const { code, stdout, stderr } = await runCli(
      ['--connect', `udp:127.0.0.1:${port}`],
      '0\n1234\nexit\n',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(
      [
        `receive: ${IVR_GREETING}`,
        'please input:0',
        `receive: ${IVR_OPERATOR}`,
        'please input:1234',
        `receive: ${IVR_RETRY}`,
        'please input:exit',
        '',
      ].join('\n'),
    );
    await expect.poll(() => seen).toEqual(['', '0', '1234', 'exit']);
  });

  it('no reply within --timeout after the retries: exit 124, one line', async () => {
    const { port } = await ivrServer(Number.POSITIVE_INFINITY);
    const { code, stderr } = await runCli(
      ['--connect', `udp:127.0.0.1:${port}`, '--timeout', '0.4', '--retries', '1'],
      '0\n',
    );
    expect(code).toBe(124);
    expect(stderr).toBe(
      `iomodels-client: no reply from 127.0.0.1:${port} after 2 tries of 200 ms\n`,
    );
  });

  it('nothing listening: exit 1; --retries without udp: is a usage error', async () => {
    const refused = await runCli(['--connect', `udp:127.0.0.1:${await closedPort()}`], '0\n');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^iomodels-client: connection refused by 127\.0\.0\.1:\d+\n$/);
    const usage = await runCli(['--port', '1', '--retries', '2'], '');
    expect(usage).toMatchObject({
      code: 2,
      stderr: 'iomodels-client: --retries goes with --connect udp:\n',
    });
  });
});
