import { describe, expect, it } from 'vitest';
import { LineOnlyReceiver } from './line-only-receiver.js';
import { StringTransport } from './testing/string-transport.js';

class Recorder extends LineOnlyReceiver {
  override delimiter = Buffer.from('\n');
  readonly events: string[] = [];
  override lineReceived(line: Buffer): void {
    this.events.push(line.toString());
  }
  override lineLengthExceeded(line: Buffer): void {
    this.events.push(`exceeded:${line.length}`);
    super.lineLengthExceeded(line); // closes: nothing after it is delivered
  }
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

describe('LineOnlyReceiver', () => {
  it('delivers the same lines at every chunk size, split and coalesced', () => {
    const input = Buffer.from('alpha\nbeta\n\nγάμμα\nend\n');
    for (let size = 1; size <= input.length; size++) {
      expect(feed(input, size).events, `chunk size ${size}`).toEqual([
        'alpha',
        'beta',
        '',
        'γάμμα',
        'end',
      ]);
    }
  });

  it('reports lines past MAX_LENGTH at every chunk size', () => {
    const input = Buffer.from('short\nmuch-too-long\n');
    for (let size = 1; size <= input.length; size++) {
      const events = feed(input, size, 8).events;
      expect(events[0], `chunk size ${size}`).toBe('short');
      expect(events[1], `chunk size ${size}`).toMatch(/^exceeded:/);
      expect(events).toHaveLength(2);
    }
  });

  it('closes the connection by default when a line is too long', () => {
    const protocol = new LineOnlyReceiver();
    protocol.MAX_LENGTH = 3;
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from('abcdef'));
    expect(transport.disconnecting).toBe(true);
  });
});
