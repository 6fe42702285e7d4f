// @iomodels/multiplex — the public surface, by name.
/** What `TCPTransport.getHandle()` returns: the connection's byte stream (from the bundled fd package). */
export type { ByteStream, ByteStreamListener, WriteDone } from '@iomodels/fd';
export { ClientFactory } from './client-factory.js';
export { Connector, type ConnectorState } from './connector.js';
export { DatagramProtocol } from './datagram-protocol.js';
export type { DatagramDestination, DatagramTransport } from './datagram-transport.js';
export { DelayedCall } from './delayed-call.js';
export {
  AlreadyCalledError,
  AlreadyCancelledError,
  ConnectionAborted,
  ConnectionDone,
  ConnectionLost,
  StringTooLongError,
  WriteBufferFullError,
} from './errors.js';
export { Factory, type ProtocolClass, ServerFactory } from './factory.js';
export { Int32StringReceiver } from './int32-string-receiver.js';
export { LineOnlyReceiver } from './line-only-receiver.js';
export { LineReceiver } from './line-receiver.js';
export { type BindSettings, ListeningPort } from './listening-port.js';
export type { Consumer, Producer, PullProducer, PushProducer } from './producer.js';
export { type HalfCloseableProtocol, isHalfCloseable, Protocol } from './protocol.js';
export { ProtocolConnection } from './protocol-connection.js';
export {
  type ConnectDestination,
  type ConnectTCPOptions,
  type ConnectUNIXOptions,
  type ListenTCPOptions,
  type ListenUDPOptions,
  type ListenUNIXOptions,
  Reactor,
  type ReactorOptions,
  reactor,
} from './reactor.js';
export { ReactorTCPServer, type ReactorTCPServerOptions } from './reactor-tcp-server.js';
export type { ReactorTime } from './reactor-time.js';
export { ReactorUDPServer, type ReactorUDPServerOptions } from './reactor-udp-server.js';
export { ReconnectingClientFactory } from './reconnecting-client-factory.js';
export {
  type IdleAwareProtocol,
  LOSE_CONNECTION_LINGER_MS,
  PRODUCER_HIGH_WATER,
  READ_BUFFER_SIZE,
  TCPTransport,
  type TCPTransportOptions,
  type TransportHost,
} from './tcp-transport.js';
export type { Transport } from './transport.js';
export { UDPPort, type UDPPortHost } from './udp-port.js';
