// Python's Unix-socket names: the same servers on a socket file, in every mode.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@iomodels/client';
import { recvText } from '@iomodels/conformance';
import { IVR_GREETING, IVR_OPERATOR } from '@iomodels/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForkingUnixStreamServer,
  ThreadingUnixStreamServer,
  UnixStreamServer,
} from '../src/index.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-blocking-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe.each([
  ['ThreadingUnixStreamServer', ThreadingUnixStreamServer, 'threading'],
  ['ForkingUnixStreamServer', ForkingUnixStreamServer, 'forking'],
] as const)('%s', (name, Server, mode) => {
  it('serves the IVR on its socket file, with its mode; the file goes on close', async () => {
    const file = path.join(dir, `${name}.sock`);
    const server = new Server('ivr', { path: file, mode: 0o600, log: () => {} });
    expect(server.mode).toBe(mode);
    expect(await server.listen()).toEqual({ family: 'unix', path: file, host: '', port: 0 });
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const client = await connect({ path: file });
    expect(await recvText(client, IVR_GREETING)).toBe(IVR_GREETING);
    await client.sendall('0');
    expect(await recvText(client, IVR_OPERATOR)).toBe(IVR_OPERATOR);
    await client.sendall('exit');
    await server.close({ timeout: 1000 });
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('UnixStreamServer', () => {
  it('is the serial server on a socket file', () => {
    const server = new UnixStreamServer('ivr', { path: path.join(dir, 'serial.sock') });
    expect(server.mode).toBe('serial');
    expect(server.endpoint).toMatchObject({ kind: 'unix', lockfile: false });
  });
});
