// Nonblocking reads raw descriptors with read(2): TLS is refused at listen, saying why.
import { expectTlsRefused } from '@iomodels/conformance';
import { it } from 'vitest';
import { PollingTCPServer } from '../src/index.js';

it('refuses tls at listen', async () => {
  await expectTlsRefused(new PollingTCPServer('ivr', { port: 0, tls: { cert: 'x', key: 'x' } }));
});
