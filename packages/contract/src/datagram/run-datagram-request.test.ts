import { describe, expect, it } from 'vitest';
import { serveDatagram } from '../testing/serve-datagram.js';
import { DatagramRequestHandler } from './datagram-request-handler.js';

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

class WritingHandler extends DatagramRequestHandler {
  override handle(): void {
    this.wfile.write(`got ${this.rfile.readLine()} from `);
    this.wfile.write(String(this.clientAddress.port));
  }
}

class SilentHandler extends DatagramRequestHandler {
  override handle(): void {}
}

class ThrowingHandler extends DatagramRequestHandler {
  finished = false;
  override handle(): string {
    throw new Error('on purpose');
  }
}

describe('runDatagramRequest', () => {
  it('sends what handle() wrote to wfile as one datagram', async () => {
    const result = await serveDatagram(WritingHandler, 'ping\n');
    expect(result.outcome).toBe('replied');
    expect(text(result.reply)).toBe('got ping from 40000');
  });

  it('a returned reply wins; a function handler works too', async () => {
    const result = await serveDatagram(async ({ data }) => `len ${data.length}`, 'abc');
    expect(text(result.reply)).toBe('len 3');
  });

  it('nothing written, nothing returned: unanswered', async () => {
    expect(await serveDatagram(SilentHandler, 'x')).toEqual({ outcome: 'unanswered' });
    expect(await serveDatagram(() => undefined, 'x')).toEqual({ outcome: 'unanswered' });
  });

  it('a throwing handler fails, reports the error with the client address, and sends nothing', async () => {
    const errors: unknown[] = [];
    const result = await serveDatagram(ThrowingHandler, 'x', {
      onError: (error, client) => errors.push([(error as Error).message, client.port]),
    });
    expect(result).toEqual({ outcome: 'failed' });
    expect(errors).toEqual([['on purpose', 40000]]);
  });

  it('a reply that is neither bytes nor text is a failure, not a crash', async () => {
    const result = await serveDatagram((() => 42) as never, 'x');
    expect(result.outcome).toBe('failed');
  });

  it('finish() runs even when handle() threw', async () => {
    const order: string[] = [];
    class Ordered extends DatagramRequestHandler {
      override setup() {
        order.push('setup');
      }
      override handle(): string {
        order.push('handle');
        throw new Error('x');
      }
      override finish() {
        order.push('finish');
      }
    }
    await serveDatagram(Ordered, 'x');
    expect(order).toEqual(['setup', 'handle', 'finish']);
  });
});
