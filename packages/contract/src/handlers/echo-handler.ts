// Sends back every byte it receives until the peer half-closes.
import { BaseRequestHandler } from '../base-request-handler.js';
import { DEFAULT_RECV_SIZE } from '../limits.js';

/** Echo: the benchmark's and the conformance suite's workhorse. */
export class EchoHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const conn = this.request;
    for (;;) {
      const data = await conn.recv(DEFAULT_RECV_SIZE);
      if (data.length === 0) return;
      await conn.sendall(data);
    }
  }
}
