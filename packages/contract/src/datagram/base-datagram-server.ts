// The UDP server every model extends: the datagram pipeline, the limits, the
// counters and the shutdown, written once. A model supplies its socket
// (`bind`, `sendTo`, `unbind`) and may replace the dispatch
// (`processDatagram`, socketserver's seam, where ThreadingMixIn differs).
import { type Address, formatAddress } from '../address.js';
import type { PendingRequest } from '../base-server.js';
import { DatagramTimeoutError, ListenError, ServerClosedError } from '../errors.js';
import { type Limits, resolveLimits } from '../limits.js';
import type { ErrorSink } from '../run-request.js';
import type { ModelDescription, ServerDescription } from '../server-description.js';
import type { ServerInfo } from '../server-info.js';
import { describeServer, logRequestError } from '../server-log.js';
import { DEFAULT_SHUTDOWN_GRACE } from '../server-options.js';
import type { ShutdownReport } from '../shutdown-sequence.js';
import { type DatagramHandlerSpec, loadDatagramHandler } from './datagram-handler-reference.js';
import type { DatagramRequest } from './datagram-request.js';
import {
  type DatagramServerOptions,
  resolveDatagramEndpoint,
  type UdpEndpoint,
} from './datagram-server-options.js';
import {
  type DatagramHandler,
  type DatagramOutcome,
  type DatagramResult,
  runDatagramRequest,
} from './run-datagram-request.js';

/** Counters since the server started. Every received datagram ends in exactly one of the others once done. */
export interface DatagramServerStats {
  /** Datagrams that arrived. */
  received: number;
  /** Requests answered with a datagram. */
  replied: number;
  /** Requests the handler chose not to answer. */
  unanswered: number;
  /** Dropped unread: larger than `maxPacketSize`. */
  oversized: number;
  /** Dropped unread: `maxDatagramsInFlight` requests were running, or the server was closing. */
  dropped: number;
  /** Dropped by `verifyRequest`. */
  refused: number;
  /** The handler threw, or its reply could not be sent; logged through `handleError`, no reply. */
  failed: number;
  /** Ran past `datagramTimeout`; no reply. */
  timedOut: number;
  /** Requests running now. */
  active: number;
}

/** What a model's dispatch returns for one datagram. */
export interface DatagramTask {
  /** Settles with the result once the handler finished; never rejects. */
  readonly done: Promise<DatagramResult>;
}

/**
 * Methods for the caller: `listen`, `serveForever`, `handleRequest`,
 * `shutdown`, `close`, `stats`, `describe`, `address`.
 * Methods that may be overridden: `verifyRequest`, `handleError`.
 * Methods for derived classes: `bind`, `sendTo`, `unbind`, `describeModel`,
 * `datagramReceived` (call it for each datagram), `processDatagram`.
 */
export abstract class BaseDatagramServer implements AsyncDisposable {
  /** The model's name, as in `listening on … (model/mode)`. */
  abstract readonly model: string;
  /** The model's variant. */
  abstract readonly mode: string;

  readonly handler: DatagramHandlerSpec;
  readonly limits: Limits;
  /** Where `listen()` binds. */
  readonly endpoint: UdpEndpoint;
  protected readonly options: Readonly<DatagramServerOptions>;

  #address: Address | undefined;
  #info: ServerInfo | undefined;
  #handler: DatagramHandler | undefined;
  #listening: Promise<Address> | undefined;
  #closing: Promise<ShutdownReport> | undefined;
  #resolveClosed!: (report: ShutdownReport) => void;
  readonly #closed: Promise<ShutdownReport>;
  /** Requests whose handler has not finished; each with the controller of its signal. */
  readonly #inFlight = new Map<Promise<unknown>, AbortController>();
  #nextRequestWaiters: Array<(outcome: Promise<DatagramOutcome>) => void> = [];
  readonly #onError: ErrorSink = (error, address) => this.handleError(error, address);
  readonly #counters = {
    received: 0,
    replied: 0,
    unanswered: 0,
    oversized: 0,
    dropped: 0,
    refused: 0,
    failed: 0,
    timedOut: 0,
  };

  constructor(handler: DatagramHandlerSpec, options: DatagramServerOptions = {}) {
    this.handler = handler;
    this.options = Object.freeze({ ...options });
    this.limits = resolveLimits(options.limits);
    this.endpoint = resolveDatagramEndpoint(options);
    this.#closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
  }

  /** The bound address; throws before `listen()` resolved. */
  get address(): Address {
    if (!this.#address) throw new ListenError('server is not listening');
    return this.#address;
  }

  /** What handlers see of this server. */
  get info(): ServerInfo {
    this.#info ??= Object.freeze({
      model: this.model,
      mode: this.mode,
      address: this.address,
      limits: this.limits,
    });
    return this.#info;
  }

  /** Loads the handler, binds and starts receiving; resolves with the address. Idempotent. */
  listen(): Promise<Address> {
    if (this.#closing) return Promise.reject(new ServerClosedError('server is closed'));
    this.#listening ??= (async () => {
      // Loaded (and checked) before binding: an unknown handler binds nothing.
      this.#handler = await loadDatagramHandler(this.handler);
      this.#address = await this.bind(this.endpoint);
      return this.#address;
    })();
    return this.#listening;
  }

  /** Listens (if not yet) and resolves when the server has been shut down, with the report. */
  async serveForever(): Promise<ShutdownReport> {
    await this.listen();
    return this.#closed;
  }

  /** Serves exactly one more datagram: resolves with its outcome when it has finished. */
  async handleRequest(): Promise<DatagramOutcome> {
    // Waiting from the call on: a datagram that arrives while listen() settles is the one.
    const next = new Promise<Promise<DatagramOutcome>>((resolve) => {
      this.#nextRequestWaiters.push(resolve);
    });
    await this.listen();
    return await next;
  }

  /** Stops receiving and waits, without limit, for every request in flight. */
  shutdown(): Promise<ShutdownReport> {
    return this.close({ timeout: Number.POSITIVE_INFINITY });
  }

  /**
   * Stops taking datagrams (later arrivals count as `dropped`), fires every
   * running request's signal, waits up to `timeout` for them — their replies
   * are still sent — then closes the socket, releasing the port. Requests
   * still running then are `abandoned`: their replies are discarded.
   * Idempotent.
   */
  close({ timeout }: { timeout?: number } = {}): Promise<ShutdownReport> {
    this.#closing ??= this.#close(timeout ?? this.options.shutdownGrace ?? DEFAULT_SHUTDOWN_GRACE);
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Python's `verify_request`: return false to drop a datagram before any handler runs. */
  verifyRequest(_request: PendingRequest): boolean {
    return true;
  }

  /** Python's `handle_error`: called with every error a request raised. Logs by default. */
  handleError(error: unknown, clientAddress: Address): void {
    logRequestError(this.options.log, 'datagram', error, clientAddress);
  }

  stats(): DatagramServerStats {
    return { ...this.#counters, active: this.#inFlight.size };
  }

  describe(): ServerDescription {
    const address = this.#address ? `udp:${formatAddress(this.#address)}` : 'not listening';
    return describeServer(this, address, this.describeModel());
  }

  /**
   * The model calls this with every datagram its socket read, whole (a model
   * that reads into a buffer passes the received length, not the buffer's).
   * Never throws; drops what the limits say to drop.
   */
  protected datagramReceived(data: Uint8Array, client: Address): void {
    this.#counters.received++;
    if (this.#closing !== undefined || this.#handler === undefined) {
      this.#counters.dropped++;
      return;
    }
    if (data.length > this.limits.maxPacketSize) {
      this.#counters.oversized++;
      return;
    }
    if (this.#inFlight.size >= this.limits.maxDatagramsInFlight) {
      this.#counters.dropped++;
      return;
    }
    let verified = false;
    try {
      verified = this.verifyRequest({ remote: client, local: this.address });
    } catch (error) {
      this.#onError(error, client);
    }
    if (!verified) {
      this.#counters.refused++;
      return;
    }
    this.#start(data, client);
  }

  /**
   * Runs the handler for one request. The default runs it here, on this
   * thread; a model that runs handlers elsewhere (a thread, a process)
   * overrides it and loads the handler there by `toDatagramHandlerReference`.
   */
  protected processDatagram(request: DatagramRequest): DatagramTask {
    if (this.#handler === undefined) throw new ListenError('server is not listening');
    return { done: runDatagramRequest(this.#handler, request, this.info, this.#onError) };
  }

  /** Binds the socket on `endpoint` and starts calling `datagramReceived`; resolves with the bound address. */
  protected abstract bind(endpoint: UdpEndpoint): Promise<Address>;
  /** Sends one datagram to `client`; rejects if it could not be sent. */
  protected abstract sendTo(data: Uint8Array, client: Address): Promise<void>;
  /** Stops receiving and closes the socket: the port is free once this resolves. */
  protected abstract unbind(): Promise<void>;
  /** What this model says about itself for `describe()`. */
  protected abstract describeModel(): ModelDescription;

  #start(data: Uint8Array, client: Address): void {
    const controller = new AbortController();
    const request: DatagramRequest = {
      data,
      client,
      local: this.address,
      signal: controller.signal,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<DatagramResult>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(
          new DatagramTimeoutError(
            `datagram request ran past ${this.limits.datagramTimeout} ms (datagramTimeout)`,
          ),
        );
        resolve({ outcome: 'timedOut' });
      }, this.limits.datagramTimeout);
      timer.unref();
    });
    let task: DatagramTask;
    try {
      task = this.processDatagram(request);
    } catch (error) {
      this.#onError(error, client);
      task = { done: Promise.resolve({ outcome: 'failed' }) };
    }
    const finished = Promise.race([task.done, timedOut]).finally(() => clearTimeout(timer));
    const done = finished.then((result) => this.#reply(result, client));
    this.#inFlight.set(done, controller);
    const waiters = this.#nextRequestWaiters;
    this.#nextRequestWaiters = [];
    for (const waiter of waiters) waiter(done);
    void done.then((outcome) => {
      this.#counters[outcome]++;
      this.#inFlight.delete(done);
    });
  }

  /** Sends the reply (unless the server already closed its socket); the final outcome. */
  async #reply(result: DatagramResult, client: Address): Promise<DatagramOutcome> {
    if (result.outcome !== 'replied' || result.reply === undefined) return result.outcome;
    if (this.#abandoned) return 'timedOut';
    try {
      await this.sendTo(result.reply, client);
      return 'replied';
    } catch (error) {
      this.#onError(error, client);
      return 'failed';
    }
  }

  /** Set once the socket is closed: replies finishing later have nowhere to go. */
  #abandoned = false;

  async #close(grace: number): Promise<ShutdownReport> {
    await this.#listening?.catch(() => {});
    const open = [...this.#inFlight];
    const shutdown = new ServerClosedError('server is shutting down');
    for (const [, controller] of open) controller.abort(shutdown);
    await settleWithin(
      open.map(([done]) => done),
      grace,
    );
    const abandoned = open.filter(([done]) => this.#inFlight.has(done)).length;
    this.#abandoned = true;
    if (this.#listening) await this.unbind();
    const report: ShutdownReport = {
      completed: open.length - abandoned,
      interrupted: 0,
      aborted: 0,
      abandoned,
    };
    this.#resolveClosed(report);
    return report;
  }
}

/** Waits until every promise settled, or `ms` passed (Infinity: no limit). */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  const all = Promise.allSettled(promises);
  if (ms === Number.POSITIVE_INFINITY) {
    await all;
  } else {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }
  // let the counters' `then` callbacks run for what settled in this turn
  await new Promise<void>((resolve) => setImmediate(resolve));
}
