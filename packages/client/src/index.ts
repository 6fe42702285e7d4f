// @iomodels/client — the public surface, by name.
export { Client, type ConnectOptions, connect, DEFAULT_TIMEOUT } from './client.js';
export {
  connectDatagram,
  DatagramClient,
  type DatagramClientOptions,
  DEFAULT_DATAGRAM_RETRIES,
  DEFAULT_DATAGRAM_TIMEOUT,
} from './datagram-client.js';
export {
  type ClientIo,
  EXIT_CONNECTION,
  EXIT_INTERRUPTED,
  EXIT_NO_REPLY,
  EXIT_OK,
  runClientCli,
} from './run-client-cli.js';
