// What the server builds per accepted connection before dispatch, as
// classes rather than object literals with getters: a literal's getter is a
// closure, and its scope kept the accepted socket (and a 256-byte property
// dictionary) alive for as long as the connection — ~0.6 KiB per idle one.
import { type Address, type SocketAddressFields, toAddress } from './address.js';
import type { ProxyHeader } from './proxy/proxy-header.js';
import type { ErrorSink } from './run-request.js';
import type { ServerInfo } from './server-info.js';

/** A TCP connection as `verifyRequest` sees it: the peer now, this end on demand. */
export class AcceptedRequest {
  readonly remote: Address;
  readonly #socket: SocketAddressFields;

  constructor(socket: SocketAddressFields) {
    this.#socket = socket;
    this.remote = toAddress(socket.remoteAddress, socket.remotePort, socket.remoteFamily);
  }

  /** Only a verifyRequest override reads it: a getsockname(2) per connection otherwise. */
  get local(): Address {
    const socket = this.#socket;
    return toAddress(socket.localAddress, socket.localPort, socket.localFamily);
  }
}

/** The `RequestContext` a model's dispatch receives; see there. */
export class DispatchContext {
  readonly clientAddress: Address;
  readonly proxyHeader: ProxyHeader | undefined;
  readonly signal: AbortSignal;
  readonly server: ServerInfo;
  readonly onError: ErrorSink;
  /** The task whose end the runner reports to the server itself (`BaseServer.runHandler`). */
  reportingTask: object | undefined = undefined;
  readonly #pending: { readonly local: Address };

  constructor(
    clientAddress: Address,
    pending: { readonly local: Address },
    proxyHeader: ProxyHeader | undefined,
    signal: AbortSignal,
    server: ServerInfo,
    onError: ErrorSink,
  ) {
    this.clientAddress = clientAddress;
    this.#pending = pending;
    this.proxyHeader = proxyHeader;
    this.signal = signal;
    this.server = server;
    this.onError = onError;
  }

  /** Lazy, as `PendingRequest.local`: a getsockname(2) only for a model that asks. */
  get localAddress(): Address {
    return this.#pending.local;
  }
}
