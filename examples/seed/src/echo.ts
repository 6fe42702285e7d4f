// The seed's Twisted Echo server, line by line, on `@iomodels/multiplex`:
// a Protocol whose dataReceived writes the data back, a ServerFactory, and
// reactor.listenTCP(8000, factory) + reactor.run().
// `npm run seed -- echo`
import { Protocol, reactor, ServerFactory } from '@iomodels/multiplex';
import { announce, isMain, seedPort } from './seed-program.js';

class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

async function main(): Promise<void> {
  const factory = new ServerFactory();
  factory.protocol = Echo;

  const port = reactor.listenTCP(seedPort(8000), factory);
  // Twisted binds inside listenTCP; here the bind completes asynchronously.
  announce(await port.listening);
  await reactor.run();
}

if (isMain(import.meta.url)) void main();
