// Program 2: the seed's client loop against the seed's threading server,
// stdin piped as a user would type.
import { describe, expect, it } from 'vitest';
import { GREETING, OPERATOR, programStarter, RETRY } from './program.js';

const start = programStarter();

/** Starts the threading server, then the client on its port with `input` on stdin. */
async function callWith(input: string) {
  const server = start('threading-server.js');
  const client = start('client.js', ['--port', String(await server.port())], input);
  return { code: await client.exited, stdout: client.stdout.text, stderr: client.stderr.text };
}

describe("client.js (the seed's client)", () => {
  it('prints what it receives, prompts, sends each line, and stops after exit', async () => {
    expect(await callWith('0\n1\nexit\n')).toEqual({
      code: 0,
      stdout: `receive: ${GREETING}\nplease input:receive: ${OPERATOR}\nplease input:receive: ${RETRY}\nplease input:`,
      stderr: '',
    });
  });

  it("ends like Python's raw_input when input runs out (EOFError)", async () => {
    expect(await callWith('0\n')).toEqual({
      code: 1,
      stdout: `receive: ${GREETING}\nplease input:receive: ${OPERATOR}\nplease input:`,
      stderr: 'EOFError: EOF when reading a line\n',
    });
  });
});
