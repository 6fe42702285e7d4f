import { describe, expect, it } from 'vitest';
import type { Connection } from '../connection.js';
import { runRequest } from '../run-request.js';
import { connectionPair, testServerInfo } from '../testing/index.js';
import {
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './ivr-handler.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Runs the IVR handler over `server`, the server end of a connection pair. */
function answer(server: Connection) {
  return runRequest(IvrHandler, server, testServerInfo(), new AbortController().signal, () => {});
}

/** Runs the handler against a caller who sends `chunks`, then hangs up; collects every reply. */
async function dial(...chunks: string[]) {
  const [server, client] = connectionPair();
  for (const chunk of chunks) await client.sendall(chunk);
  client.shutdownWrite();
  const done = answer(server);
  const replies: string[] = [];
  for (let reply = await client.recv(); reply.length > 0; reply = await client.recv()) {
    replies.push(text(reply));
  }
  return { outcome: await done, replies, closed: server.closed };
}

describe('IvrHandler', () => {
  it('greets, answers 0 and anything else, and closes on exit (the seed dialogue)', async () => {
    const [server, client] = connectionPair();
    const done = answer(server);
    expect(text(await client.recv())).toBe(IVR_GREETING);
    await client.sendall('0');
    expect(text(await client.recv())).toBe(IVR_OPERATOR);
    await client.sendall('1234');
    expect(text(await client.recv())).toBe(IVR_RETRY);
    await client.sendall('exit');
    expect((await client.recv()).length).toBe(0); // the server hung up
    expect(await done).toBe('completed');
    expect(server.closed).toBe(true);
  });

  it('does not read past exit', async () => {
    const { outcome, replies, closed } = await dial('0', '1234', 'exit', 'never read');
    expect(outcome).toBe('completed');
    expect(replies).toEqual([IVR_GREETING, IVR_OPERATOR, IVR_RETRY]);
    expect(closed).toBe(true);
  });

  it('keeps the seed strings byte for byte', () => {
    expect(Buffer.from(IVR_GREETING).toString('hex')).toBe(
      Buffer.from('欢迎致电 10086,请输入1xxx,0转人工服务.', 'utf8').toString('hex'),
    );
    expect(IVR_OPERATOR).toBe('通过可能会被录音.balabala一大推');
    expect(IVR_RETRY).toBe('请重新输入.');
  });

  it('ignores a trailing newline and answers each line of a chunk in order', async () => {
    const { replies } = await dial('0\r\n', '1\n0\nexit\n');
    expect(replies).toEqual([IVR_GREETING, IVR_OPERATOR, IVR_RETRY, IVR_OPERATOR]);
  });

  it('ends when the caller hangs up', async () => {
    const { outcome, replies } = await dial('0');
    expect(outcome).toBe('completed');
    expect(replies).toEqual([IVR_GREETING, IVR_OPERATOR]);
  });

  it('splits messages as documented', () => {
    expect(splitIvrMessages('0')).toEqual(['0']);
    expect(splitIvrMessages('0\n')).toEqual(['0']);
    expect(splitIvrMessages('\n')).toEqual(['']);
    expect(splitIvrMessages('a\r\nb\n')).toEqual(['a', 'b']);
  });
});
