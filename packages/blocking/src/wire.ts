// The messages between a server and the threads or processes that run its
// handlers: one per connection and per event, never one per data message.
import type { Address, RequestOutcome, ServerInfo } from '@iomodels/contract/core';

/** A handler reference in its serialisable form. */
export interface WireHandlerReference {
  module: string;
  export?: string;
}

/** What a thread or child gets when it starts. */
export interface RunnerBoot {
  handler: WireHandlerReference;
  /** The server's `idleTimeout` in ms (0/absent: none): the runner counts its activity only when set. */
  idleTimeout?: number;
}

/** Dispatcher → runner: serve one connection (the descriptor travels beside it). */
export interface ServeMessage {
  type: 'serve';
  id: number;
  /** The descriptor number (threads share the process's table; children get theirs with the handle). */
  fd: number;
  remote: Address;
  local: Address;
  /** The server's description: with a runner's first connection only (it does not change). */
  server?: ServerInfo;
}

/** Dispatcher → runner: the server is shutting down; fire the handler's signal. */
export interface AbortMessage {
  type: 'abort';
  id: number;
}

export type DispatcherMessage = ServeMessage | AbortMessage;

/** Runner → dispatcher. */
export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; error: WireError }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'shutdown'; id: number }
  | { type: 'done'; id: number; outcome: RequestOutcome };

/** An error flattened for postMessage/IPC, keeping what `handleError` logs. */
export interface WireError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const wire: WireError = { name: error.name, message: error.message };
  if (error.stack !== undefined) wire.stack = error.stack;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') wire.code = code;
  return wire;
}

/** Rebuilds an Error with the original name, message, stack and code. */
export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.code !== undefined) (error as { code?: string }).code = wire.code;
  return error;
}
