import { describe, expect, it } from 'vitest';
import { LineReceiver } from './line-receiver.js';
import { StringTransport } from './testing/string-transport.js';

class Recorder extends LineReceiver {
  readonly events: string[] = [];
  override lineReceived(line: Buffer): void {
    this.events.push(`line:${line.toString()}`);
    if (line.toString() === 'RAW') this.setRawMode();
  }
  override rawDataReceived(data: Buffer): void {
    this.events.push(`raw:${data.toString()}`);
  }
  override lineLengthExceeded(line: Buffer): void {
    this.events.push(`exceeded:${line.length}`);
  }
}

/** Feeds `input` in chunks of `size` bytes; returns the protocol. */
function feed(input: Buffer, size: number, setup?: (p: Recorder) => void): Recorder {
  const protocol = new Recorder();
  setup?.(protocol);
  protocol.makeConnection(new StringTransport());
  for (let offset = 0; offset < input.length; offset += size) {
    protocol.dataReceived(input.subarray(offset, offset + size));
  }
  return protocol;
}

const lines = Buffer.from('one\r\ntwo\r\n\r\n三\r\nlast\r\n');

describe('LineReceiver', () => {
  it('delivers the same lines at every chunk size, split and coalesced', () => {
    const expected = ['line:one', 'line:two', 'line:', 'line:三', 'line:last'];
    for (let size = 1; size <= lines.length; size++) {
      expect(feed(lines, size).events, `chunk size ${size}`).toEqual(expected);
    }
  });

  it('keeps an unterminated tail until its delimiter arrives', () => {
    const protocol = feed(Buffer.from('a\r\nb'), 100);
    expect(protocol.events).toEqual(['line:a']);
    protocol.dataReceived(Buffer.from('c\r\n'));
    expect(protocol.events).toEqual(['line:a', 'line:bc']);
  });

  it('honours a custom delimiter at every chunk size', () => {
    const input = Buffer.from('x||yy||||z||');
    for (let size = 1; size <= input.length; size++) {
      const protocol = feed(input, size, (p) => {
        p.delimiter = Buffer.from('||');
      });
      expect(protocol.events, `chunk size ${size}`).toEqual([
        'line:x',
        'line:yy',
        'line:',
        'line:z',
      ]);
    }
  });

  it('switches to raw mode and back, in order, at every chunk size', () => {
    const input = Buffer.from('head\r\nRAW\r\nbody');
    for (let size = 1; size <= input.length; size++) {
      const protocol = feed(input, size);
      const raw = protocol.events
        .filter((e) => e.startsWith('raw:'))
        .map((e) => e.slice(4))
        .join('');
      expect(protocol.events.slice(0, 2), `chunk size ${size}`).toEqual(['line:head', 'line:RAW']);
      expect(raw).toBe('body');
    }
    const protocol = feed(input, input.length);
    protocol.setLineMode(Buffer.from('after\r\n'));
    expect(protocol.events.at(-1)).toBe('line:after');
  });

  it('reports a line past MAX_LENGTH, terminated or not, at every chunk size', () => {
    const long = Buffer.from(`${'x'.repeat(11)}\r\nok\r\n`);
    for (let size = 1; size <= long.length; size++) {
      const protocol = feed(long, size, (p) => {
        p.MAX_LENGTH = 10;
      });
      expect(protocol.events[0], `chunk size ${size}`).toMatch(/^exceeded:/);
    }
    const unterminated = feed(Buffer.from('y'.repeat(20)), 20, (p) => {
      p.MAX_LENGTH = 10;
    });
    expect(unterminated.events).toEqual(['exceeded:20']);
  });

  it('closes the connection by default when a line is too long', () => {
    class Plain extends LineReceiver {
      override MAX_LENGTH = 4;
    }
    const protocol = new Plain();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from('toolong'));
    expect(transport.disconnecting).toBe(true);
  });

  it('sendLine appends the delimiter', () => {
    const protocol = new LineReceiver();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.sendLine('hi');
    expect(transport.value().toString()).toBe('hi\r\n');
  });
});
