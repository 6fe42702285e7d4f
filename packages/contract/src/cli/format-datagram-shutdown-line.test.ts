import { describe, expect, it } from 'vitest';
import { formatDatagramShutdownLine } from './format-datagram-shutdown-line.js';

describe('formatDatagramShutdownLine', () => {
  it('says what the server did over its life, then what close did to the requests in flight', () => {
    const stats = {
      received: 7,
      replied: 3,
      unanswered: 1,
      oversized: 1,
      dropped: 1,
      refused: 0,
      failed: 1,
      timedOut: 0,
      active: 0,
    };
    expect(
      formatDatagramShutdownLine(stats, { completed: 1, interrupted: 0, aborted: 0, abandoned: 1 }),
    ).toBe(
      '7 received: 3 replied, 1 unanswered, 1 oversized, 1 dropped, 0 refused, 1 failed, 0 timed out; at shutdown 2 in flight: 1 completed, 1 abandoned',
    );
  });
});
