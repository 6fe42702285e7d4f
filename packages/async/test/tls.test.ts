// TLS on the Proactor: the posted reads and writes go to the TLSSocket's
// stream (fd's public-API ByteStream), never to the descriptor's ciphertext.
import { describeTlsDialogue } from '@iomodels/conformance';
import { ProactorTCPServer } from '../src/index.js';

describeTlsDialogue('async/proactor', (options) => new ProactorTCPServer('ivr', options));
