// The built bin: the listening line, serving, exit codes (needs `build` first).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { IVR_GREETING } from '@iomodels/contract';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

function run(args: string[]) {
  const child = spawn(process.execPath, [bin, ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

describe.skipIf(!existsSync(bin))('iomodels-async (built bin)', () => {
  it('prints the listening line, serves the IVR, exits 0 on SIGINT', async () => {
    const r = run(['--port', '0']);
    let port = 0;
    while (!port) {
      const match = /^listening on 127\.0\.0\.1:(\d+) \(async\/proactor\)\n$/.exec(r.stdout());
      if (match) port = Number(match[1]);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const client = net.connect(port, '127.0.0.1');
    const greeting = await new Promise<string>((resolve) => {
      let text = '';
      client.on('data', (d) => {
        text += d;
        if (Buffer.byteLength(text) >= Buffer.byteLength(IVR_GREETING)) resolve(text);
      });
    });
    expect(greeting).toBe(IVR_GREETING);
    client.end('exit');
    await new Promise((resolve) => client.on('close', resolve));
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
  });

  it('exits 2 with one line on a bad flag', async () => {
    const r = run(['--bogus']);
    expect(await r.exited).toBe(2);
    expect(r.stderr()).toMatch(/^iomodels-async: .*bogus.*\n$/);
  });
});
