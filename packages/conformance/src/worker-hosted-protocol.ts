// What the hosting thread and the worker that runs a server share: the layout
// of the shared memory and the messages between them.
import type {
  Address,
  RequestOutcome,
  ServerDescription,
  ShutdownReport,
} from '@iomodels/contract';

/** Int32 slots of the shared memory. The worker writes the counters; the host writes the flags. */
export const SLOT = {
  accepted: 0,
  active: 1,
  completed: 2,
  failed: 3,
  refused: 4,
  /** What the worker's `verifyRequest` answers, one of `VERIFY`. */
  verify: 5,
  /** 1 once `close()` was called on the host's stand-in. */
  closeRequested: 6,
  timedOut: 7,
  proxyRefused: 8,
} as const;

export const SLOT_COUNT = 9;

/** Values of `SLOT.verify`. */
export const VERIFY = {
  /** Ask the server's own `verifyRequest`. */
  server: 0,
  accept: 1,
  refuse: 2,
  /** The host's function threw when it was assigned: the worker's throws too. */
  throws: 3,
} as const;

/** An error (or any thrown value) as it crosses the boundary. */
export type SerializedError =
  | { kind: 'error'; name: string; message: string; stack?: string; code?: string }
  | { kind: 'value'; text: string };

/** A handler as it crosses the boundary: a short name or a module reference with a string URL. */
export type WorkerHandler = string | { module: string; export?: string };

export interface WorkerHostData {
  /** The server class: a module URL (or specifier) and its export. */
  server: { module: string; export: string };
  handler: WorkerHandler;
  /** The server options without `log`. */
  options: Record<string, unknown>;
  shared: SharedArrayBuffer;
}

export type HostMessage =
  | { type: 'close'; timeout: number }
  | { type: 'handleRequest'; id: number };

export type WorkerMessage =
  | {
      type: 'ready';
      address: Address;
      model: string;
      mode: string;
      description: ServerDescription;
    }
  | { type: 'failed'; error: SerializedError }
  | { type: 'error'; error: SerializedError; address: Address }
  | { type: 'closed'; report: ShutdownReport }
  | { type: 'outcome'; id: number; outcome?: RequestOutcome; error?: SerializedError };

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { kind: 'value', text: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    kind: 'error',
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(typeof code === 'string' ? { code } : {}),
  };
}

/**
 * Rebuilds an error on this side: a plain `Error` with the original name,
 * message, stack and code — enough for `XError.isInstance`, which checks the code.
 */
export function deserializeError(serialized: SerializedError): unknown {
  if (serialized.kind === 'value') return serialized.text;
  const error = new Error(serialized.message) as Error & { code?: string };
  error.name = serialized.name;
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  if (serialized.code !== undefined) error.code = serialized.code;
  return error;
}
