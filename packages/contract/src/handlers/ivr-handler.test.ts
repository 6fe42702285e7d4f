import { describe, expect, it } from 'vitest';
import { MemoryConnection, testServerInfo } from '../../test/memory-connection.js';
import { runRequest } from '../run-request.js';
import {
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './ivr-handler.js';

async function dial(...chunks: string[]) {
  const conn = new MemoryConnection(chunks);
  const outcome = await runRequest(
    IvrHandler,
    conn,
    testServerInfo,
    new AbortController().signal,
    () => {},
  );
  return { outcome, replies: conn.sentText(), closed: conn.closed };
}

describe('IvrHandler', () => {
  it('greets, answers 0 and anything else, and closes on exit (the seed dialogue)', async () => {
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
