// Binds a `node:dgram` socket on a `udp:` endpoint, with the contract's
// listen errors. The models that read datagrams through libuv (multiplex,
// async) share it; what they do with the socket afterwards is theirs.
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { type Address, fromAddressInfo } from '../address.js';
import { toListenError } from '../error-mapping.js';
import type { UdpEndpoint } from './datagram-server-options.js';

/** A bound datagram socket and the address it got (port 0 resolved). */
export interface BoundDatagramSocket {
  readonly socket: dgram.Socket;
  readonly address: Address;
}

/**
 * Creates a `udp4` socket (`udp6` for an IPv6 interface) and binds it. No
 * `SO_REUSEADDR`: two servers on one UDP port would split its datagrams
 * between them, so a taken port is `AddressInUseError`, as for TCP.
 */
export function bindDatagramSocket(endpoint: UdpEndpoint): Promise<BoundDatagramSocket> {
  const { host, port } = endpoint;
  const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
  return new Promise((resolve, reject) => {
    const fail = (error: unknown) => {
      try {
        socket.close();
      } catch {
        // a socket that never bound may already count as closed
      }
      reject(toListenError(error, { host, port }));
    };
    socket.once('error', fail);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', fail);
      resolve({ socket, address: fromAddressInfo(socket.address()) });
    });
  });
}
