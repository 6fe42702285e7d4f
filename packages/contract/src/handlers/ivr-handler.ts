// The seed's "10086" phone menu, with its exact UTF-8 strings.
import { BaseRequestHandler } from '../base-request-handler.js';

/** Sent once when a caller connects. */
export const IVR_GREETING = '欢迎致电 10086,请输入1xxx,0转人工服务.';
/** The answer to `0`. */
export const IVR_OPERATOR = '通过可能会被录音.balabala一大推';
/** The answer to anything else. */
export const IVR_RETRY = '请重新输入.';
/** The message that ends the call; the server closes the connection. */
export const IVR_EXIT = 'exit';

/**
 * Splits one received chunk into the messages it holds. Like the seed, a
 * chunk is a message; unlike the seed, one trailing `\n`/`\r\n` is ignored
 * and a chunk of several lines is several messages, so `nc` and `telnet`
 * work as well as the seed's Python client (which sends no newline).
 */
export function splitIvrMessages(chunk: string): string[] {
  const body = chunk.replace(/\r?\n$/, '');
  return body.split(/\r?\n/);
}

/** The seed's `MyServer.handle`, portable: it runs unchanged on every model. */
export class IvrHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const conn = this.request;
    const decoder = new TextDecoder('utf-8');
    await conn.sendall(IVR_GREETING);
    for (;;) {
      const data = await conn.recv(1024);
      if (data.length === 0) return;
      const text = decoder.decode(data, { stream: true });
      if (text === '') continue; // only part of a multi-byte character so far
      for (const message of splitIvrMessages(text)) {
        if (message === IVR_EXIT) return;
        await conn.sendall(message === '0' ? IVR_OPERATOR : IVR_RETRY);
      }
    }
  }
}
