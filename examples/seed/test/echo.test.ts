// Program 6: Twisted's Echo on the reactor — bytes come back.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Caller, programStarter } from './program.js';

const start = programStarter();

describe("echo.js (the seed's Twisted Echo)", () => {
  it('writes back what it receives', async () => {
    const program = start('echo.js');
    const caller = await Caller.dial(await program.port());
    caller.send('hello, reactor');
    expect(await caller.expect('hello, reactor')).toBe('hello, reactor');
    caller.close();
  });

  it('writes back 1 MiB of random bytes, bit for bit', async () => {
    const program = start('echo.js');
    const data = randomBytes(1 << 20);
    const socket = net.connect(await program.port(), '127.0.0.1');
    const chunks: Buffer[] = [];
    let length = 0;
    const back = new Promise<Buffer>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= data.length) resolve(Buffer.concat(chunks));
      });
    });
    socket.write(data);
    expect((await back).equals(data)).toBe(true);
    socket.destroy();
  });
});
