// Programs 1 and 3: the ThreadingTCPServer and ForkingTCPServer 10086
// servers, driven as the seed's client would drive them.
import { describe, expect, it } from 'vitest';
import {
  Caller,
  dialogue,
  GREETING,
  OPERATOR,
  programStarter,
  RETRY,
  twoCallersAtOnce,
} from './program.js';

const start = programStarter();

describe.each([
  ['threading-server.js', 'ThreadingTCPServer'],
  ['forking-server.js', 'ForkingTCPServer'],
])("%s (the seed's %s)", (file) => {
  it("speaks the seed's dialogue, byte for byte, and hangs up on exit", async () => {
    const server = start(file);
    const caller = await Caller.dial(await server.port());
    expect(await dialogue(caller)).toEqual([GREETING, OPERATOR, RETRY]);
    expect(caller.rest()).toBe('');
    expect(server.stdout.text).toBe(''); // the seed's server prints nothing
  });

  it('serves two callers at once: one waits in its read while the other talks', async () => {
    const server = start(file);
    await twoCallersAtOnce(await server.port());
  });
});
