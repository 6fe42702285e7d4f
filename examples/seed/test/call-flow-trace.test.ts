// Program 7, run: the seed's call-flow steps, printed in the seed's order
// as one caller is served.
import { describe, expect, it } from 'vitest';
import { Caller, dialogue, GREETING, OPERATOR, programStarter, RETRY } from './program.js';

const start = programStarter();

const SEED_ORDER = [
  'TCPServer.__init__, BaseServer.__init__',
  'serve_forever',
  'get_request, verify_request',
  'ThreadingMixIn.process_request',
  'process_request_thread → finish_request',
  'BaseRequestHandler.__init__ → setup',
  'BaseRequestHandler.__init__ → handle',
  'BaseRequestHandler.__init__ → finish',
];

describe("call-flow.js (the seed's ThreadingTCPServer walk-through, traced)", () => {
  it('prints each step of the seed in order while serving the 10086 dialogue', async () => {
    const program = start('call-flow.js');
    const caller = await Caller.dial(await program.port());
    expect(await dialogue(caller)).toEqual([GREETING, OPERATOR, RETRY]);
    const last = SEED_ORDER.at(-1)!;
    await program.stdout.until(`"${last}"`, (o) =>
      o.lines().some((l) => l.startsWith(last)) ? true : undefined,
    );
    const steps = program.stdout
      .lines()
      .map((line) => line.split(' → ').slice(0, -1).join(' → ').trim());
    expect(steps).toEqual(SEED_ORDER);
    expect(program.stdout.text).toContain(`verifyRequest(('127.0.0.1', ${caller.port}))`);
  });
});
