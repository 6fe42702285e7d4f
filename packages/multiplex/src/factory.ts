// Builds one protocol per connection (Twisted's Factory / ServerFactory):
// set `protocol` to your class, or override `buildProtocol`.
import type { Address } from '@iomodels/contract';
import { Protocol } from './protocol.js';

/** A protocol class a factory can build. */
export type ProtocolClass = new () => Protocol;

/**
 * Makes protocols. `startFactory` runs when the first port or connector
 * starts using the factory, `stopFactory` when the last one stops.
 */
export class Factory {
  /** The class `buildProtocol` instantiates, as in Twisted's `factory.protocol = Echo`. */
  protocol: ProtocolClass = Protocol;
  /** How many ports/connectors use this factory now (Twisted's `numPorts`). */
  numPorts = 0;

  /** A protocol for the connection from/to `_addr`; return `undefined` to refuse it. */
  buildProtocol(_addr: Address): Protocol | undefined {
    const protocol = new this.protocol();
    protocol.factory = this;
    return protocol;
  }

  /** Called once before the first port or connector uses the factory. */
  startFactory(): void {}

  /** Called once after the last port or connector stopped using the factory. */
  stopFactory(): void {}

  /** Internal bookkeeping: a port or connector starts using the factory. */
  doStart(): void {
    if (this.numPorts === 0) this.startFactory();
    this.numPorts++;
  }

  /** Internal bookkeeping: a port or connector stops using the factory. */
  doStop(): void {
    if (this.numPorts === 0) return;
    this.numPorts--;
    if (this.numPorts === 0) this.stopFactory();
  }
}

/** A factory for listening ports (Twisted's `ServerFactory`, which adds nothing to `Factory`). */
export class ServerFactory extends Factory {}
