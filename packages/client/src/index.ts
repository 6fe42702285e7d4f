// @iomodels/client — the public surface, by name.
export { Client, type ConnectOptions, connect, DEFAULT_TIMEOUT } from './client.js';
export {
  type ClientIo,
  EXIT_CONNECTION,
  EXIT_INTERRUPTED,
  EXIT_NO_REPLY,
  EXIT_OK,
  runClientCli,
} from './run-client-cli.js';
