// Blocking reads raw descriptors in threads and children: TLS is refused at listen, saying why.
import { expectTlsRefused } from '@iomodels/conformance';
import { it } from 'vitest';
import { TCPServer, ThreadingTCPServer } from '../src/index.js';

const tls = { cert: 'not used', key: 'not used' };

it.each([TCPServer, ThreadingTCPServer])('%o refuses tls at listen', async (Server) => {
  await expectTlsRefused(new Server('ivr', { port: 0, tls }));
});
