import { describe, expect, it } from 'vitest';
import { IncompleteReadError, LineTooLongError } from './errors.js';
import { StreamRequestHandler } from './stream-request-handler.js';
import { connectionPair, testServerInfo } from './testing/index.js';

const info = testServerInfo({ limits: { maxLineLength: 16 } });

class Probe extends StreamRequestHandler {
  handle() {}
}

function chunked(text: string, size: number): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

/** A handler over a connection whose peer sent `chunks`, one at a time, then FIN. */
async function probe(chunks: Array<Uint8Array | string>): Promise<Probe> {
  const [server, client] = connectionPair();
  for (const chunk of chunks) await client.sendall(chunk);
  client.shutdownWrite();
  return new Probe(server, server.remote, info);
}

describe('StreamRequestHandler', () => {
  const input = 'one\r\ntwo\n\n电话\nlast';
  for (let size = 1; size <= input.length + 8; size++) {
    it(`reads the same lines at chunk size ${size}`, async () => {
      const handler = await probe(chunked(input, size));
      const lines: string[] = [];
      for (let line = await handler.readLine(); line !== null; line = await handler.readLine()) {
        lines.push(line);
      }
      expect(lines).toEqual(['one', 'two', '', '电话', 'last']);
    });
  }

  it('rejects a line longer than the limit with LineTooLongError', async () => {
    const handler = await probe(['x'.repeat(10), 'x'.repeat(10), '\n']);
    await expect(handler.readLine()).rejects.toSatisfy((e) => LineTooLongError.isInstance(e));
  });

  it('accepts a line of exactly the limit', async () => {
    const handler = await probe(['x'.repeat(16), '\r\n']);
    expect(await handler.readLine()).toBe('x'.repeat(16));
  });

  it('reads exactly n bytes across chunks and reports a short stream', async () => {
    const handler = await probe(['ab', 'cde', 'f']);
    expect(new TextDecoder().decode(await handler.readExactly(4))).toBe('abcd');
    const error = await handler.readExactly(5).catch((e: unknown) => e);
    expect(IncompleteReadError.isInstance(error)).toBe(true);
    expect(new TextDecoder().decode((error as IncompleteReadError).partial)).toBe('ef');
  });

  it('write sends everything through sendall', async () => {
    const [server, client] = connectionPair();
    const handler = new Probe(server, server.remote, info);
    await handler.write('hi');
    expect(new TextDecoder().decode(await client.recv())).toBe('hi');
  });
});
