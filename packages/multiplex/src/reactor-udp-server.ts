// The contract's UDP server on the Reactor model: one `listenUDP` port whose
// protocol feeds every datagram to BaseDatagramServer's pipeline; handlers
// run as coroutines on the same event loop.
import {
  type Address,
  BaseDatagramServer,
  type DatagramHandlerSpec,
  type DatagramServerOptions,
  type ModelDescription,
  type UdpEndpoint,
} from '@iomodels/contract';
import { DatagramProtocol } from './datagram-protocol.js';
import { reactor as defaultReactor, type Reactor } from './reactor.js';
import type { UDPPort } from './udp-port.js';

/** Options of `ReactorUDPServer`: the shared UDP server options plus the reactor to run on. */
export interface ReactorUDPServerOptions extends DatagramServerOptions {
  /** The reactor the port is bound by; default the default `reactor`. */
  reactor?: Reactor;
}

/** Runs a datagram handler for every datagram a reactor's UDP port receives. */
export class ReactorUDPServer extends BaseDatagramServer {
  readonly model = 'multiplex';
  readonly mode = 'reactor';
  readonly reactor: Reactor;
  #port: UDPPort | undefined;

  constructor(handler: DatagramHandlerSpec, options: ReactorUDPServerOptions = {}) {
    super(handler, options);
    this.reactor = options.reactor ?? defaultReactor;
  }

  protected async bind(endpoint: UdpEndpoint): Promise<Address> {
    const deliver = (data: Buffer, addr: Address) => this.datagramReceived(data, addr);
    const protocol = new (class extends DatagramProtocol {
      override datagramReceived(data: Buffer, addr: Address): void {
        deliver(data, addr);
      }
    })();
    // Every datagram reaches the pipeline, which drops and counts the oversized ones.
    this.#port = this.reactor.listenUDP(endpoint, protocol, {
      maxPacketSize: Number.POSITIVE_INFINITY,
    });
    return this.#port.listening;
  }

  protected sendTo(data: Uint8Array, client: Address): Promise<void> {
    if (!this.#port) return Promise.reject(new Error('not bound'));
    return this.#port.send(data, client);
  }

  protected async unbind(): Promise<void> {
    await this.#port?.stopListening();
  }

  protected describeModel(): ModelDescription {
    return {
      io: 'readiness: libuv waits in the kernel demultiplexer and reads each datagram when the socket is readable; the port hands it to its DatagramProtocol',
      completion: 'none',
      concurrency: 'one event loop; one protocol serves every peer, handlers are coroutines',
      notes: [
        'a handler that computes without awaiting stalls every other datagram, as in Twisted',
      ],
    };
  }
}
