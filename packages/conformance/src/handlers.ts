// Handlers the suite runs. A module of its own so that thread and process
// models can load them by reference, like any user's handler.
import { BaseRequestHandler, DatagramRequestHandler } from '@iomodels/contract';

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

/**
 * Says `ready`, then listens until the caller hangs up. When the server
 * shuts down (its signal fires) it says `goodbye` and half-closes — once,
 * from the abort listener where `recv` can be interrupted, or as soon as a
 * blocking `recv` returns — and keeps listening until the caller hangs up.
 */
export class GoodbyeOnShutdownHandler extends BaseRequestHandler {
  #saidGoodbye = false;

  override async handle(): Promise<void> {
    const onAbort = () => void this.#goodbye().catch(() => {});
    this.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await this.request.sendall('ready');
      if (this.signal.aborted) await this.#goodbye();
      while ((await this.request.recv(1024)).length > 0) {
        if (this.signal.aborted) await this.#goodbye();
      }
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }

  async #goodbye(): Promise<void> {
    if (this.#saidGoodbye) return;
    this.#saidGoodbye = true;
    await this.request.sendall('goodbye');
    await this.request.shutdownWrite();
  }
}

/**
 * Posts a `recv`, then a second one while the first is pending; sends
 * `second:<error code>` (or `second:resolved`), then `first:<what the first got>`.
 */
export class ConcurrentRecvHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const first = Promise.resolve(this.request.recv(1024));
    first.catch(() => {}); // awaited below
    let second: string;
    try {
      await this.request.recv(1024);
      second = 'second:resolved';
    } catch (error) {
      second = `second:${(error as { code?: string }).code ?? String(error)}`;
    }
    await this.request.sendall(second);
    await this.request.sendall(`first:${new TextDecoder().decode(await first)}`);
  }
}

/**
 * Says `from <clientAddress>\n` at once, then answers the first message with
 * `got <message>`: what a PROXY-protocol receiver must get right (the
 * original client, and no byte lost after the header).
 */
export class AddressHandler extends BaseRequestHandler {
  override async handle(): Promise<void> {
    const { host, port } = this.clientAddress;
    // `via v2 PROXY example.org`: the PROXY header (a TLV too) the handler reads, when there was one.
    const header = this.request.proxyHeader;
    const authority = header?.authority ? ` ${header.authority}` : '';
    const via = header ? ` via v${header.version} ${header.command}${authority}` : '';
    await this.request.sendall(`from ${host}:${port}${via}\n`);
    const data = await this.request.recv(1024);
    await this.request.sendall(`got ${new TextDecoder().decode(data)}`);
  }
}

/** Datagrams: `boom` makes it throw (the server must go on); anything else is answered `ok:<data>`. */
export class ThrowingDatagramHandler extends DatagramRequestHandler {
  override handle(): string {
    const text = this.rfile.text();
    if (text === 'boom') throw new Error('datagram handler failed on purpose');
    return `ok:${text}`;
  }
}

/** Datagrams: `sleep:MS` is answered `done:MS` after MS milliseconds (a request still running when the server closes). */
export class SleepDatagramHandler extends DatagramRequestHandler {
  override async handle(): Promise<string> {
    const ms = Number(this.rfile.text().replace(/^sleep:/, ''));
    await new Promise((resolve) => setTimeout(resolve, ms));
    return `done:${ms}`;
  }
}
