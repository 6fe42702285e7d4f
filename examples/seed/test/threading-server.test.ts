// Programs 1 and 3: the ThreadingTCPServer and ForkingTCPServer 10086
// servers, driven as the seed's client would drive them.
import { afterEach, describe, expect, it } from 'vitest';
import {
  Caller,
  dialogue,
  GREETING,
  OPERATOR,
  type Program,
  RETRY,
  startProgram,
} from './program.js';

const running: Program[] = [];
afterEach(() => {
  for (const program of running.splice(0)) program.kill();
});

describe.each([
  ['threading-server.js', 'ThreadingTCPServer'],
  ['forking-server.js', 'ForkingTCPServer'],
])("%s (the seed's %s)", (file) => {
  it("speaks the seed's dialogue, byte for byte, and hangs up on exit", async () => {
    const server = startProgram(file);
    running.push(server);
    const caller = await Caller.dial(await server.port());
    expect(await dialogue(caller)).toEqual([GREETING, OPERATOR, RETRY]);
    expect(caller.rest()).toBe('');
    expect(server.stdout.text).toBe(''); // the seed's server prints nothing
  });

  it('serves two callers at once: one waits in its read while the other talks', async () => {
    const server = startProgram(file);
    running.push(server);
    const port = await server.port();
    const first = await Caller.dial(port);
    await first.expect(GREETING);
    const second = await Caller.dial(port);
    expect(await dialogue(second)).toEqual([GREETING, OPERATOR, RETRY]);
    expect(await dialogue(first, true)).toEqual([OPERATOR, RETRY]);
  });
});
