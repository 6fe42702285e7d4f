// Options and checks shared by the two pooled servers.
import { type ServerOptions, UsageError } from '@iomodels/contract';

/**
 * Connections that may wait for a free thread or child before further ones
 * are refused (and counted in `stats().refused`). 1024: twice Node's listen
 * backlog, so a burst is queued rather than refused, and bounded memory.
 */
export const DEFAULT_MAX_QUEUED_CONNECTIONS = 1024;

/** Checks a positive-integer option and returns it or its default. */
export function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(Number.isInteger(value) && value > 0)) {
    throw new UsageError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * How long an idle thread or child beyond the spares is kept before it is
 * stopped: 30 s, long enough that a steady load's short lulls do not cost
 * starts (a thread takes tens of milliseconds of CPU, a child more), short
 * enough that the memory of a burst's runners (a V8 isolate each, or a
 * whole process) comes back.
 */
export const DEFAULT_RUNNER_IDLE_TIMEOUT = 30_000;

/** Checks a runner idle timeout in ms (an integer >= 0; 0: never) and returns it or its default. */
export function runnerIdleTimeout(name: string, value: number | undefined): number {
  if (value === undefined) return DEFAULT_RUNNER_IDLE_TIMEOUT;
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new UsageError(`${name} must be an integer >= 0 (ms; 0: never), got ${value}`);
  }
  return value;
}

/** Checks a spare-runner count (an integer >= 0) and returns it, or its default, within [min, max]. */
export function spareCount(
  name: string,
  value: number | undefined,
  fallback: number,
  { min, max }: { min: number; max: number },
): number {
  const spare = value ?? fallback;
  if (!(Number.isInteger(spare) && spare >= 0)) {
    throw new UsageError(`${name} must be an integer >= 0, got ${spare}`);
  }
  return Math.min(Math.max(spare, min), max);
}

/**
 * The base server refuses and counts connections beyond `maxConnections`;
 * a pool caps it at what it can serve plus what may wait.
 */
export function withPoolCap(options: ServerOptions, capacity: number): ServerOptions {
  const max = options.maxConnections;
  return { ...options, maxConnections: max === undefined ? capacity : Math.min(max, capacity) };
}
