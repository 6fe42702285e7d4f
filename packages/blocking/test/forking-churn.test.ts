// ForkingTCPServer under connection churn, run as a user runs it: the bin,
// started by a program that reads the "listening on" line from stdout and
// never reads stderr. Every reset costs the server one logged error (~800
// bytes); once the children shared the server's stderr, that stderr was
// blocking (see process-pool.ts), and the server stopped for good when the
// unread pipe filled — about 80 resets in.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { runChurn } from '@iomodels/conformance';
import { IVR_GREETING } from '@iomodels/contract';
import { afterEach, describe, expect, it } from 'vitest';
import { bin, eventually, TestClient } from './helpers.js';

const stop: Array<() => void> = [];
afterEach(() => {
  for (const done of stop.splice(0)) done();
});

describe('ForkingTCPServer under churn', () => {
  it('serves 1,000 mixed connections (exit, FIN, RST before the greeting, RST mid-dialogue) with its stderr unread, then a full dialogue', async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(bin), '--mode', 'forking', '--handler', 'ivr', '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    stop.push(() => child.kill('SIGKILL'));
    // Nobody reads stderr: the pipe fills after a few dozen logged resets.
    child.stderr!.pause();
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    await eventually(() => stdout.includes('\n') || child.exitCode !== null);
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]);
    expect(port).toBeGreaterThan(0);

    const counts = await runChurn({ port, total: 1000, concurrency: 4, connectionTimeout: 15_000 });
    expect(counts).toEqual({
      exit: 250,
      fin: 250,
      resetBeforeGreeting: 250,
      resetMidDialogue: 250,
    });

    const caller = await TestClient.connect(port);
    stop.push(() => caller.socket.destroy());
    await caller.waitFor(IVR_GREETING);
    caller.write('exit');
    await eventually(() => caller.closed);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 120_000);
});
