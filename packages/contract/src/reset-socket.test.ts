import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resetSocket } from './reset-socket.js';

async function pair(where: { path: string } | { port: number; host: string }) {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(where, resolve));
  const target = 'path' in where ? where : (server.address() as net.AddressInfo);
  const accepted = once(server, 'connection');
  const client = net.connect(target as net.NetConnectOpts);
  await once(client, 'connect');
  const [peer] = (await accepted) as [net.Socket];
  server.close();
  return { client, peer };
}

describe('resetSocket', () => {
  it('sends RST on TCP: the peer sees ECONNRESET', async () => {
    const { client, peer } = await pair({ port: 0, host: '127.0.0.1' });
    const error = once(peer, 'error');
    resetSocket(client);
    expect(((await error)[0] as NodeJS.ErrnoException).code).toBe('ECONNRESET');
  });

  it('closes a Unix socket (which has no RST) instead of throwing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-reset-'));
    try {
      const { client, peer } = await pair({ path: path.join(dir, 's.sock') });
      const closed = once(peer, 'close');
      expect(() => resetSocket(client)).not.toThrow();
      await closed;
      expect(client.destroyed).toBe(true);
      resetSocket(client); // again: a no-op
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
