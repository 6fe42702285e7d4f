// The built-in handlers, a module of their own so that threads and child
// processes can load them by reference (`@iomodels/contract/handlers`).

export { EchoDatagramHandler } from './echo-datagram-handler.js';
export { EchoHandler } from './echo-handler.js';
export { IvrDatagramHandler } from './ivr-datagram-handler.js';
export {
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './ivr-handler.js';
