// TLS on the Reactor: the accepted socket becomes a TLSSocket and the
// transport reads it through fd's public-API ByteStream.
import { describeTlsDialogue } from '@iomodels/conformance';
import { ReactorTCPServer } from '../src/index.js';

describeTlsDialogue('multiplex/reactor', (options) => new ReactorTCPServer('ivr', options));
