// TLS for the models that keep Node's stream layer (multiplex, async): the
// accepted socket is wrapped in a server-side `TLSSocket`, and the model
// reads and writes plaintext through it (fd's public-API ByteStream; the
// bytes on the descriptor are ciphertext, so never the handle path).

import type net from 'node:net';
import tls from 'node:tls';

/** `ServerOptions.tls`: at least a certificate chain and its key (PEM), as `tls.createSecureContext` takes them. */
export type ServerTlsOptions = tls.SecureContextOptions & {
  cert: string | Buffer | Array<string | Buffer>;
  key: string | Buffer | Array<string | Buffer>;
};

/** One secure context per server, built at listen so a bad key fails before binding. */
export function createServerTlsContext(options: ServerTlsOptions): tls.SecureContext {
  return tls.createSecureContext(options);
}

/**
 * Wraps an accepted socket (from `pauseOnConnect`, untouched) as the server
 * side of a TLS session. The handshake runs as the model first reads; a
 * failed one is an error on the returned socket, which the model sees as a
 * lost connection.
 */
export function acceptTls(socket: net.Socket, secureContext: tls.SecureContext): tls.TLSSocket {
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
  // A failed handshake (a peer speaking plain TCP, say) is only emitted, not
  // closed: end the connection, which the model then sees as lost.
  secure.on('error', () => secure.destroy());
  return secure;
}
