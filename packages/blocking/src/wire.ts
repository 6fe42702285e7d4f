// The messages between a server and the threads or processes that run its
// handlers: one per connection and per event, never one per data message.
import type { ProxyHeader } from '@iomodels/contract';
import type { Address, RequestOutcome, ServerInfo } from '@iomodels/contract/core';
import type { DatagramServeMessage, WireDatagramResult } from './datagram-wire.js';

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
  /** The runner serves datagrams (a UDP server's pool), not connections. */
  datagram?: boolean;
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
  /** The PROXY header the connection began with, if the server takes one. */
  proxyHeader?: WireProxyHeader;
}

/** A PROXY header as JSON can carry it (children get their messages as JSON): bytes in base64. */
export type WireProxyHeader = Omit<ProxyHeader, 'tlvs' | 'uniqueId'> & {
  tlvs: Array<{ type: number; value: string }>;
  uniqueId?: string;
};

/** Bytes as JSON carries them to a child. */
export const base64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
export const unbase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

export function toWireProxyHeader({ tlvs, uniqueId, ...rest }: ProxyHeader): WireProxyHeader {
  return {
    ...rest,
    tlvs: tlvs.map(({ type, value }) => ({ type, value: base64(value) })),
    ...(uniqueId && { uniqueId: base64(uniqueId) }),
  };
}

export function fromWireProxyHeader({ tlvs, uniqueId, ...rest }: WireProxyHeader): ProxyHeader {
  return {
    ...rest,
    tlvs: tlvs.map(({ type, value }) => ({ type, value: unbase64(value) })),
    ...(uniqueId !== undefined && { uniqueId: unbase64(uniqueId) }),
  };
}

/** Dispatcher → runner: the server is shutting down; fire the handler's signal. */
export interface AbortMessage {
  type: 'abort';
  id: number;
  /** A datagram request ran past `limits.datagramTimeout` (not a shutdown). */
  timedOut?: boolean;
}

export type DispatcherMessage = ServeMessage | DatagramServeMessage | AbortMessage;

/** Runner → dispatcher. */
export type RunnerMessage =
  | { type: 'ready' }
  | { type: 'fatal'; error: WireError }
  | { type: 'error'; id: number; error: WireError }
  | { type: 'shutdown'; id: number }
  | {
      type: 'done';
      id: number;
      outcome: RequestOutcome;
      /** A datagram job's result (one message, not two: each costs the server a wake-up). */
      datagram?: WireDatagramResult;
    };

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
