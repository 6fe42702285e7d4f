// Completion results are -errno numbers; users read names.
import os from 'node:os';

const names = new Map<number, string>();
for (const [name, value] of Object.entries(os.constants.errno)) {
  if (!names.has(value)) names.set(value, name);
}

/** `-104` → `'ECONNRESET'`; an unknown or non-negative number → `'E<n>'`. */
export function errnoName(result: number): string {
  return names.get(-result) ?? `E${-result}`;
}

/** The errno value named `name` (e.g. `'ECANCELED'`), positive. */
export function errnoValue(name: keyof typeof os.constants.errno): number {
  return os.constants.errno[name];
}
