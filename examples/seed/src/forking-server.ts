// The seed's ForkingTCPServer: "only the one line changes". The handler is
// the threading server's `MyServer`, unchanged; the diff is the server line.
// `npm run seed -- forking-server`
import { ForkingTCPServer } from '@iomodels/blocking';
import { announce, isMain, seedPort } from './seed-program.js';
import { MY_SERVER } from './threading-server.js';

async function main(): Promise<void> {
  const server = new ForkingTCPServer(MY_SERVER, { host: '127.0.0.1', port: seedPort(8009) });
  announce(await server.listen());
  await server.serveForever();
}

if (isMain(import.meta.url)) void main();
