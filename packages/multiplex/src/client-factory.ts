// A factory for outgoing connections (Twisted's ClientFactory): told when a
// connection attempt starts, fails, or a made connection is lost.
import type { Connector } from './connector.js';
import { Factory } from './factory.js';

/** Override the events you need; the defaults do nothing. */
export class ClientFactory extends Factory {
  /** A connection attempt started. */
  startedConnecting(_connector: Connector): void {}

  /** The attempt failed (refused, timed out, unreachable); `reason` says why. */
  clientConnectionFailed(_connector: Connector, _reason: Error): void {}

  /** A connection this factory's protocol had was lost. */
  clientConnectionLost(_connector: Connector, _reason: Error): void {}
}
