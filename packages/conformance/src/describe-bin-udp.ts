// What every server bin must do with `--listen udp:`: the listening line,
// the 10086 menu over UDP with `--handler ivr`, a clean exit on SIGTERM with
// the datagram counters, and exit 2 for flags that mean nothing over UDP.
import { type ChildProcess, spawn } from 'node:child_process';
import { connectDatagram } from '@iomodels/client';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import type { BinUnderTest } from './describe-bin-endpoints.js';
import { watchChild } from './watch-child.js';
import { waitFor } from './wire.js';

/** Registers the UDP tests for one bin. */
export function describeBinUdp(name: string, target: BinUnderTest): void {
  describe(`${name}: --listen udp:`, () => {
    const children: ChildProcess[] = [];
    afterEach(() => {
      for (const child of children.splice(0)) child.kill('SIGKILL');
    });

    function run(args: readonly string[]) {
      const child = spawn(process.execPath, [target.bin, ...(target.args ?? []), ...args], {
        stdio: 'pipe',
      });
      children.push(child);
      return watchChild(child);
    }

    it('serves the 10086 menu over UDP with --handler ivr and closes on SIGTERM with the counters', async () => {
      const r = run(['--listen', 'udp:0:interface=127.0.0.1', '--handler', 'ivr', '--grace', '1']);
      const line = new RegExp(
        `^listening on udp:127\\.0\\.0\\.1:(\\d+) \\(${target.label.replace('/', '\\/')}\\)\\n$`,
      );
      let port = 0;
      await waitFor(() => {
        port = Number(line.exec(r.stdout())?.[1] ?? 0);
        return port > 0 || r.child.exitCode !== null;
      }, 'the listening line');
      expect(port, r.stderr()).toBeGreaterThan(0);
      const client = await connectDatagram({ port, timeout: 5_000, retries: 0 });
      try {
        expect(new TextDecoder().decode(await client.request(''))).toBe(IVR_GREETING);
        expect(new TextDecoder().decode(await client.request('0'))).toBe(IVR_OPERATOR);
        await client.send('exit');
      } finally {
        await client.close();
      }
      r.child.kill('SIGTERM');
      expect(await r.exited).toBe(0);
      // `exit` is unanswered, and may or may not have been read before the signal.
      expect(r.stderr()).toMatch(/closed: [23] received: 2 replied, [01] unanswered, 0 oversized/);
    });

    it('refuses flags that mean nothing over UDP: one line, exit 2', async () => {
      const r = run(['--listen', 'udp:0', '--metrics', 'tcp:0']);
      expect(await r.exited).toBe(2);
      expect(r.stderr()).toMatch(/^iomodels-\S+: --metrics: not available with a udp: endpoint\n$/);
    });
  });
}
