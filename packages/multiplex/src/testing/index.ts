// @iomodels/multiplex/testing — test protocols without sockets or waiting.
export { Clock } from './clock.js';
export { type ProducerState, StringTransport } from './string-transport.js';
