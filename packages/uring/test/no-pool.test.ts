// What a kernel without buffer rings (Linux < 6.0) gets, forced with
// IOMODELS_URING_NO_POOL=1 (this file runs in its own process, so its loop
// decides without a pool): the echo and a stream over a shared staging
// buffer fall back to a buffer per connection, bytes exact.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { serveEcho, UringByteStream, UringLoop, type UringStreamListener } from '../src/index.js';
import { connect, echoThrough, skipReason, until } from './helpers.js';

process.env.IOMODELS_URING_NO_POOL = '1';

describe.skipIf(skipReason !== null)('no buffer pool (IOMODELS_URING_NO_POOL=1)', () => {
  it('the loop has no pool; serveEcho echoes 1 MiB bit-exact through buffers of its own', async () => {
    expect(UringLoop.open().pool()).toBeUndefined();
    const server = serveEcho();
    const socket = await connect(server.port);
    const payload = randomBytes(1024 * 1024);
    const echo = await echoThrough(socket, payload);
    expect(echo.equals(payload)).toBe(true);
    socket.destroy();
    await server.close();
  });

  it('a stream over a shared staging buffer reads into a buffer of its own, as large', async () => {
    const loop = UringLoop.open();
    const listener = loop.listen('127.0.0.1', 0, 4);
    let fd = -1;
    loop.accept(listener.fd, (n) => (fd = n), false);
    const client = await connect(listener.port);
    await until(() => fd !== -1);
    const shared = new Uint8Array(64);
    const reads: Uint8Array[] = [];
    let text = '';
    const recorder: UringStreamListener = {
      onData(buffer, length) {
        reads.push(buffer);
        text += Buffer.from(buffer.subarray(0, length)).toString();
        return undefined;
      },
      onEnd() {},
      onDrain() {},
      onError() {},
    };
    const stream = new UringByteStream(loop, fd, recorder, shared, shared);
    client.write('mine');
    await until(() => text === 'mine');
    expect(reads[0]).not.toBe(shared);
    expect(reads[0]!.length).toBe(64);
    stream.close();
    loop.close(listener.fd);
    client.destroy();
  });
});
