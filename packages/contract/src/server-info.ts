// What a handler may know of its server. A plain object, not the server
// itself: handlers of the threading and forking models run in another
// thread or process, where the server object does not exist.
import type { Address } from './address.js';
import type { Limits } from './limits.js';

/** The server as seen from a handler (Python's `self.server`, reduced to data). */
export interface ServerInfo {
  /** `blocking`, `nonblocking`, `multiplex`, `async`, or a test server's name. */
  readonly model: string;
  /** The model's variant, e.g. `threading`; equal to `model` where there is one. */
  readonly mode: string;
  /** The listening address. */
  readonly address: Address;
  readonly limits: Limits;
}
