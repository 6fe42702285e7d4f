// The Proactor over a Unix socket file: posted accept and connect on a
// path, reads and writes straight on the libuv Pipe handle, the file
// removed when the acceptor closes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AddressInUseError, ConnectionRefusedError } from '@iomodels/contract';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Proactor } from '../src/index.js';

let dir: string;
const proactors: Proactor[] = [];
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-async-'));
});
afterEach(async () => {
  await Promise.all(proactors.splice(0).map((p) => p.close()));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function make(): Proactor {
  const proactor = new Proactor();
  proactors.push(proactor);
  return proactor;
}

describe('Proactor over a Unix socket', () => {
  it('accept and connect meet on a path; both ends run natively and say unix', async () => {
    const proactor = make();
    const file = path.join(dir, 'p.sock');
    const acceptor = await proactor.listen({ path: file, mode: 0o600 });
    expect(acceptor.address).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const accepting = proactor.accept(acceptor);
    const client = await proactor.connect({ path: file });
    const server = await accepting;
    expect(client.readPath).toBe('native');
    expect(server.readPath).toBe('native');
    expect(server.remote.family).toBe('unix');
    await client.write('over the pipe\n');
    expect(await server.readLine()).toBe('over the pipe');
    await server.write('and back');
    expect(Buffer.from(await client.readExactly(8)).toString()).toBe('and back');
    server.abort(); // no RST on a Unix socket: a close
    await acceptor.close();
    expect(fs.existsSync(file)).toBe(false);
  });

  it('a second listen on a live socket file is refused; connecting to no file is refused', async () => {
    const proactor = make();
    const file = path.join(dir, 'taken.sock');
    await proactor.listen({ path: file });
    await expect(proactor.listen({ path: file })).rejects.toSatisfy((e) =>
      AddressInUseError.isInstance(e),
    );
    await expect(proactor.connect({ path: path.join(dir, 'none.sock') })).rejects.toSatisfy((e) =>
      ConnectionRefusedError.isInstance(e),
    );
  });
});
