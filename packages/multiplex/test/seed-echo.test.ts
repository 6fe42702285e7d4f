// The seed's Twisted Echo example, ported line by line, talked to over a socket.
import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Protocol, Reactor, ServerFactory } from '../src/index.js';

// A reactor per test file stands in for the seed's global `reactor`.
const reactor = new Reactor();
afterEach(() => reactor.stop());

// 7  class Echo(protocol.Protocol):
// 8      def dataReceived(self, data):
// 9          self.transport.write(data)
class Echo extends Protocol {
  override dataReceived(data: Buffer): void {
    this.transport.write(data);
  }
}

// 11 def main():
// 12     factory = protocol.ServerFactory()
// 13     factory.protocol = Echo
// 15     reactor.listenTCP(8000, factory)      (port 0 here: any free port)
// 16     reactor.run()
function main() {
  const factory = new ServerFactory();
  factory.protocol = Echo;

  const port = reactor.listenTCP(0, factory);
  const running = reactor.run();
  return { port, running };
}

it('the seed Echo server echoes what a client sends, then stops with the reactor', async () => {
  const { port, running } = main();
  const { port: portNumber } = await port.listening;
  const client = net.connect(portNumber, '127.0.0.1');
  const received: Buffer[] = [];
  client.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = new Promise((resolve) => client.on('close', resolve));
  client.write('hello, ');
  client.end('reactor');
  await closed;
  expect(Buffer.concat(received).toString()).toBe('hello, reactor');
  await reactor.stop();
  await running;
  expect(reactor.running).toBe(false);
});
