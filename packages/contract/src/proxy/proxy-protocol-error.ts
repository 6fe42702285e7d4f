// The one error of the PROXY protocol receiver: the header is malformed, too
// long, missing, or came from a peer that may not send one.
import { IomodelsError } from '../errors.js';

/** A PROXY protocol header was refused; the connection is closed before any handler runs. */
export class ProxyProtocolError extends IomodelsError {
  static override readonly code = 'ERR_IOMODELS_PROXY_PROTOCOL';
}
