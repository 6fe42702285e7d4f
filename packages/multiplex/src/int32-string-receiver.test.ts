import { describe, expect, it } from 'vitest';
import { Int32StringReceiver } from './int32-string-receiver.js';
import { StringTransport } from './testing/string-transport.js';

class Recorder extends Int32StringReceiver {
  readonly events: string[] = [];
  override stringReceived(data: Buffer): void {
    this.events.push(data.toString());
  }
  override lengthLimitExceeded(length: number): void {
    this.events.push(`exceeded:${length}`);
    super.lengthLimitExceeded(length); // closes: nothing after it is delivered
  }
}

function frame(...messages: string[]): Buffer {
  const sender = new Int32StringReceiver();
  const transport = new StringTransport();
  sender.makeConnection(transport);
  for (const message of messages) sender.sendString(message);
  return transport.value();
}

function feed(input: Buffer, size: number, maxLength?: number): Recorder {
  const protocol = new Recorder();
  if (maxLength !== undefined) protocol.MAX_LENGTH = maxLength;
  protocol.makeConnection(new StringTransport());
  for (let offset = 0; offset < input.length; offset += size) {
    protocol.dataReceived(input.subarray(offset, offset + size));
  }
  return protocol;
}

describe('Int32StringReceiver', () => {
  it('frames with a 4-byte big-endian length', () => {
    expect([...frame('ab')]).toEqual([0, 0, 0, 2, 0x61, 0x62]);
  });

  it('delivers the same messages at every chunk size, split and coalesced', () => {
    const messages = ['hello', '', 'x'.repeat(300), '中文', 'z'];
    const input = frame(...messages);
    for (let size = 1; size <= input.length; size++) {
      expect(feed(input, size).events, `chunk size ${size}`).toEqual(messages);
    }
  });

  it('refuses a declared length above MAX_LENGTH before buffering it, at every chunk size', () => {
    const input = Buffer.concat([frame('ok'), frame('way too long')]);
    for (let size = 1; size <= input.length; size++) {
      expect(feed(input, size, 5).events, `chunk size ${size}`).toEqual(['ok', 'exceeded:12']);
    }
  });

  it('closes the connection by default on a length above the limit', () => {
    const protocol = new Int32StringReceiver();
    protocol.MAX_LENGTH = 1;
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.dataReceived(frame('too long'));
    expect(transport.disconnecting).toBe(true);
  });
});
