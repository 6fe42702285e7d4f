// Handlers the suite runs. A module of its own so that thread and process
// models can load them by reference, like any user's handler.
import { BaseRequestHandler } from '@iomodels/contract';

/** Says `ready`, reads one message, then throws: the server must survive it. */
export class ThrowingHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    await this.request.sendall('ready');
    const data = await this.request.recv(1024);
    throw new Error(`handler failed on purpose after "${new TextDecoder().decode(data)}"`);
  }
}

/** Says `ready`, waits for one message, answers `done:<message>` and returns. */
export class OneExchangeHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    await this.request.sendall('ready');
    const data = await this.request.recv(1024);
    await this.request.sendall(`done:${new TextDecoder().decode(data)}`);
  }
}
