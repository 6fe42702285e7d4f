// Sends every datagram back to its sender, as it came.
import { DatagramRequestHandler } from '../datagram/datagram-request-handler.js';

/** Echo over UDP: the datagram conformance suite's and the benchmark's workhorse. */
export class EchoDatagramHandler extends DatagramRequestHandler {
  override handle(): Uint8Array {
    return this.request.data;
  }
}
