// The built-in handlers, a module of their own so that threads and child
// processes can load them by reference (`@iomodels/contract/handlers`).
export { EchoHandler } from './echo-handler.js';
export {
  IVR_EXIT,
  IVR_GREETING,
  IVR_OPERATOR,
  IVR_RETRY,
  IvrHandler,
  splitIvrMessages,
} from './ivr-handler.js';
