// The bin on `--listen udp:`, run as a separate process, in every mode: the
// 10086 menu over datagrams, a user's handler file in a thread or child,
// and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, eventually } from './helpers.js';
import { datagramFixtures, UdpTestClient } from './udp-helpers.js';

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

async function startUdpBin(...args: string[]) {
  const child = spawn(process.execPath, [fileURLToPath(bin), '--listen', 'udp:0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = once(child, 'exit');
  cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'));
  await eventually(() => stdout.includes('\n') || child.exitCode !== null);
  const line = stdout.trim();
  const client = new UdpTestClient(Number(/^listening on udp:127\.0\.0\.1:(\d+) /.exec(line)?.[1]));
  cleanup.push(() => client.close());
  return { child, line, client, stderr: () => stderr, exit };
}

describe.each(['serial', 'threading', 'forking'])(
  'iomodels-blocking --listen udp: --mode %s',
  (mode) => {
    it('serves the 10086 menu, one datagram in, one out; exits 0 on SIGTERM', async () => {
      const { child, line, client, stderr, exit } = await startUdpBin(
        '--mode',
        mode,
        '--handler',
        'ivr',
      );
      expect(line).toMatch(
        new RegExp(`^listening on udp:127\\.0\\.0\\.1:\\d+ \\(blocking/${mode}\\)$`),
      );
      expect(await client.ask('')).toBe(IVR_GREETING);
      expect(await client.ask('0', (reply) => reply === IVR_OPERATOR)).toBe(IVR_OPERATOR);
      child.kill('SIGTERM');
      expect(await exit).toEqual([0, null]);
      expect(stderr()).toMatch(/closed: /);
    });

    it("runs a user's handler file (FILE#EXPORT) where the mode says", async () => {
      const handler = `${fileURLToPath(datagramFixtures)}#WhereHandler`;
      const { child, client } = await startUdpBin('--mode', mode, '--handler', handler);
      const [, pid, thread] = /^pid=(\d+) thread=(\d+) got=hi$/.exec(await client.ask('hi'))!;
      expect(Number(pid) === child.pid).toBe(mode !== 'forking');
      expect(Number(thread) > 0).toBe(mode === 'threading');
      child.kill('SIGTERM');
    });
  },
);
