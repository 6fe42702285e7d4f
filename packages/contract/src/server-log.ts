// What a server writes when a request failed, and what it says about itself:
// one wording for stream and datagram servers.
import { type Address, formatAddress } from './address.js';
import { ConnectionError } from './errors.js';
import type { Limits } from './limits.js';
import {
  type ModelDescription,
  platformDemultiplexer,
  type ServerDescription,
} from './server-description.js';

/**
 * Logs a request's error, e.g. `error while handling request from 127.0.0.1:40000: …`.
 * A peer that reset or vanished is the network's doing, not a bug in the
 * handler: one line, no stack (under churn a stack per reset floods the log).
 */
export function logRequestError(
  log: ((line: string) => void) | undefined,
  what: 'request' | 'datagram',
  error: unknown,
  clientAddress: Address,
): void {
  const detail = ConnectionError.isInstance(error)
    ? `${(error as Error).message} (${(error as ConnectionError).code})`
    : error instanceof Error
      ? (error.stack ?? error.message)
      : String(error);
  (log ?? ((line: string) => console.error(line)))(
    `error while handling ${what} from ${formatAddress(clientAddress)}: ${detail}`,
  );
}

/** `describe()`'s answer: the server's identity and address, this runtime, and the model's own words. */
export function describeServer(
  server: { readonly model: string; readonly mode: string; readonly limits: Limits },
  address: string,
  model: ModelDescription,
): ServerDescription {
  return {
    model: server.model,
    mode: server.mode,
    address,
    demultiplexer: platformDemultiplexer(),
    runtime: `Node.js ${process.version} (${process.platform}/${process.arch})`,
    limits: server.limits,
    ...model,
  };
}
