// @iomodels/fd — the one place that touches Node's internal socket handle.
// Private: bundled into the model packages that go below net.Socket.
export { AcceptedHandle, acceptHandles, socketOf } from './accepted-handle.js';
export type { ByteStream, ByteStreamListener, WriteDone } from './byte-stream.js';
export { byteStreamOf } from './byte-stream-of.js';
export { descriptorOf, type SocketLike, setBlocking } from './descriptor.js';
export {
  readDescriptor,
  tryRead,
  tryWrite,
  WOULD_BLOCK,
  type WouldBlock,
  writeAll,
  writeDescriptor,
} from './descriptor-io.js';
export { systemError } from './fs-binding-calls.js';
export { closeHandle, receivedHandle, sendSocket } from './handle-passing.js';
export {
  HandleStream,
  handleStream,
  handleStreamRefusal,
  handleStreamSupported,
} from './handle-stream.js';
export { nonBlockingReader } from './non-blocking-reader.js';
export { probeRuntime } from './probe-runtime.js';
export { checkRuntime, type TcpHandle } from './runtime-check.js';
export { SocketStream, socketStream } from './socket-stream.js';
