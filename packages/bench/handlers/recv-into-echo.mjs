// The echo written the blocking way, as Python's socketserver handler is
// written with recv_into: one read buffer per connection, recv and sendall
// called without await (BlockingConnection only). The bench's
// `blocking/*-recv-into` servers run it next to Python's `--recv-into` peers;
// every other server runs the portable `echo`. Plain JS: worker threads and
// forked children load it by module reference.
import { BaseRequestHandler } from '@iomodels/contract';

export class RecvIntoEchoHandler extends BaseRequestHandler {
  handle() {
    const connection = this.request;
    const buffer = new Uint8Array(65536);
    for (;;) {
      const n = connection.recvInto(buffer);
      if (n === 0) return;
      connection.sendall(buffer.subarray(0, n));
    }
  }
}
