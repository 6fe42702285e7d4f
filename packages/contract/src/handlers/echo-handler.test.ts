import { describe, expect, it } from 'vitest';
import { runRequest } from '../run-request.js';
import { connectionPair, testServerInfo } from '../testing/index.js';
import { EchoHandler } from './echo-handler.js';

const signal = new AbortController().signal;

describe('EchoHandler', () => {
  it('sends back every byte until the peer half-closes, then closes', async () => {
    const [server, client] = connectionPair();
    const done = runRequest(EchoHandler, server, testServerInfo(), signal, () => {});
    await client.sendall('ping');
    expect(new TextDecoder().decode(await client.recv())).toBe('ping');
    client.shutdownWrite();
    expect((await client.recv()).length).toBe(0);
    expect(await done).toBe('completed');
    expect(server.closed).toBe(true);
  });

  it('echoes more than the receive bound without losing a byte (sendall waits for the reader)', async () => {
    const [server, client] = connectionPair({ limits: { maxReceiveBuffer: 1024 } });
    const done = runRequest(EchoHandler, server, testServerInfo(), signal, () => {});
    const payload = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
    const echoed: Uint8Array[] = [];
    const reading = (async () => {
      for (let chunk = await client.recv(); chunk.length > 0; chunk = await client.recv()) {
        echoed.push(chunk);
      }
    })();
    await client.sendall(payload);
    client.shutdownWrite();
    await reading;
    expect(Buffer.compare(Buffer.concat(echoed), payload)).toBe(0);
    expect(await done).toBe('completed');
  });

  it('a caller that resets mid-dialogue fails the request with ConnectionResetError', async () => {
    const [server, client] = connectionPair();
    const errors: unknown[] = [];
    const done = runRequest(EchoHandler, server, testServerInfo(), signal, (e) => errors.push(e));
    client.reset();
    expect(await done).toBe('failed');
    expect((errors[0] as { code?: string }).code).toBe('ERR_IOMODELS_CONNECTION_RESET');
  });
});
