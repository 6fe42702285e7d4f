// Naming a datagram handler: the stream rules of handler-reference.ts (short
// name, module reference, in-process class), plus a function in-process, and
// the short names `ivr`/`echo` meaning the datagram twins on a UDP server.
import { UnknownHandlerError } from '../errors.js';
import {
  BUILTIN_MODULE,
  type HandlerReference,
  loadHandler,
  parseHandlerArgument,
} from '../handler-reference.js';
import { type DatagramHandler, isDatagramHandlerClass } from './run-datagram-request.js';

/** What UDP servers accept: a class or function (in-process models only), a reference, or a short name. */
export type DatagramHandlerSpec = DatagramHandler | HandlerReference | string;

/** The short names on a UDP server and what they stand for. */
export const BUILTIN_DATAGRAM_HANDLERS: Readonly<Record<string, HandlerReference>> = Object.freeze({
  ivr: { module: BUILTIN_MODULE, export: 'IvrDatagramHandler' },
  echo: { module: BUILTIN_MODULE, export: 'EchoDatagramHandler' },
});

/** Stream built-ins and their datagram twins, so `--handler ivr`, parsed once for every bin, means the UDP menu on a UDP server. */
const TWINS: Readonly<Record<string, string>> = {
  IvrHandler: 'IvrDatagramHandler',
  EchoHandler: 'EchoDatagramHandler',
};

/**
 * The reference a spec names on a UDP server: a short name is a datagram
 * built-in, a reference to a stream built-in becomes its twin, anything else
 * stays as `parseHandlerArgument` reads it. Throws for a class or function
 * (they cannot cross to another thread or process).
 */
export function toDatagramHandlerReference(spec: DatagramHandlerSpec): HandlerReference {
  if (typeof spec === 'function') {
    throw new UnknownHandlerError(
      `datagram handler ${spec.name || '(anonymous function)'} cannot be sent to another thread or process; ` +
        'export a DatagramRequestHandler subclass and pass { module, export } instead',
    );
  }
  if (typeof spec === 'string') {
    return (
      BUILTIN_DATAGRAM_HANDLERS[spec] ?? toDatagramHandlerReference(parseHandlerArgument(spec))
    );
  }
  const twin = spec.module === BUILTIN_MODULE ? TWINS[spec.export ?? ''] : undefined;
  return twin === undefined ? spec : { module: BUILTIN_MODULE, export: twin };
}

/**
 * Loads the datagram handler a spec names and checks it is one: a stream
 * handler (`BaseRequestHandler`) is refused with a message that says so.
 */
export async function loadDatagramHandler(spec: DatagramHandlerSpec): Promise<DatagramHandler> {
  if (typeof spec === 'function' && !isDatagramHandlerClass(spec)) return spec;
  const loaded =
    typeof spec === 'function'
      ? (spec as unknown as DatagramHandler)
      : ((await loadHandler(toDatagramHandlerReference(spec))) as unknown as DatagramHandler);
  if ((loaded as { datagram?: unknown }).datagram !== true) {
    throw new UnknownHandlerError(
      `${loaded.name} is a stream handler; a UDP server needs a DatagramRequestHandler subclass (or a function)`,
    );
  }
  return loaded;
}
