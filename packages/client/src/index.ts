// @iomodels/client — the public surface, by name.
export { Client, type ConnectOptions, connect, DEFAULT_TIMEOUT } from './client.js';
export { type ClientIo, runClientCli } from './run-client-cli.js';
