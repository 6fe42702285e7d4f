// Program 4, the seed's "源码精简": select with a 1 s timeout on the
// listening socket, then a thread per connection blocking in read(2).
import { describe, expect, it } from 'vitest';
import {
  Caller,
  dialogue,
  GREETING,
  OPERATOR,
  type Program,
  programStarter,
  RETRY,
  twoCallersAtOnce,
} from './program.js';

const start = programStarter();

/** The line `process` prints: the request's repr, then the client address tuple. */
const requestLine = (port: number) =>
  new RegExp(
    `^<socket fd=\\d+, laddr=\\('127\\.0\\.0\\.1', \\d+\\), raddr=\\('127\\.0\\.0\\.1', ${port}\\)> \\('127\\.0\\.0\\.1', ${port}\\)$`,
  );

function untilRequestLine(program: Program, caller: Caller): Promise<true> {
  return program.stdout.until(`the request line of port ${caller.port}`, (o) =>
    o.lines().some((l) => requestLine(caller.port).test(l)) ? true : undefined,
  );
}

describe("select-thread.js (the seed's select + threading sketch)", () => {
  it('prints `looping` each time the 1 s select times out while nobody calls', async () => {
    const program = start('select-thread.js');
    await program.port();
    await program.stdout.untilLines('looping', 3);
    expect(new Set(program.stdout.lines())).toEqual(new Set(['looping']));
  });

  it('prints `get request` when a caller arrives, then the thread prints the request and runs the 10086 dialogue', async () => {
    const program = start('select-thread.js');
    const caller = await Caller.dial(await program.port());
    expect(await dialogue(caller)).toEqual([GREETING, OPERATOR, RETRY]);
    // A thread's prints reach stdout through the main thread: wait for the line.
    await untilRequestLine(program, caller);
    const lines = program.stdout.lines();
    const got = lines.indexOf('get request');
    expect(got).toBeGreaterThan(0);
    expect(lines[got - 1]).toBe('looping'); // select returned, `looping`, then `get request`
    expect(lines.slice(got + 1).find((l) => l !== 'looping')).toMatch(requestLine(caller.port));
  });

  it('serves two callers at once, each in its own thread blocked in read(2)', async () => {
    const program = start('select-thread.js');
    const port = await program.port();
    const [first, second] = await twoCallersAtOnce(port);
    for (const caller of [first, second]) await untilRequestLine(program, caller);
    const lines = program.stdout.lines();
    expect(lines.filter((l) => l === 'get request')).toHaveLength(2);
    // The loop keeps going after both threads ended.
    await program.stdout.untilLines('looping', lines.filter((l) => l === 'looping').length + 1);
  });
});
