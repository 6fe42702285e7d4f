// The V8 flags the iomodels-blocking bin sets for its own process and
// its forking children. A bin is an application and may tune the engine;
// the library never does (V8 flags are process-wide, and a server embedded
// in someone's process must not change how their code is compiled). Set
// before the first thread starts, they reach every worker thread: a
// thread's isolate reads them when it is created and when it compiles.
import v8 from 'node:v8';

/**
 * Why: every connection's thread or child is an isolate of its own that
 * sees only its share of the messages, so each one tiers the handler path
 * up on its own, slowly; a quarter of V8's default budget (67,584) asks for
 * optimised code four times sooner. Measured, not guessed (the README has
 * the figures): `--always-sparkplug`, `--single-threaded-gc`,
 * `--no-lazy-feedback-allocation`, `--max-lazy` and a budget of 8,192 did
 * not help.
 *
 * Only V8 11 and older (Node 20) have `--interrupt-budget`; V8 12 (Node 22)
 * replaced it with invocation counts, and Node rejects an unknown flag in a
 * child's `execArgv`, so newer engines get no flag (not measured there).
 */
export function binV8Flags(v8Version: string = process.versions.v8): readonly string[] {
  const major = Number.parseInt(v8Version, 10);
  return major <= 11 ? ['--interrupt-budget=16384'] : [];
}

/** The flags this bin sets on the running engine. */
export const BIN_V8_FLAGS: readonly string[] = binV8Flags();

/** The flag's name, `--no-` and value aside: `--no-always-sparkplug` → `always-sparkplug`. */
function flagName(flag: string): string {
  return flag
    .replace(/^--(no-)?/, '')
    .split('=')[0]!
    .replaceAll('_', '-');
}

/** The flags of {@link BIN_V8_FLAGS} that `execArgv` (Node's own command line) does not already set either way. */
export function flagsToSet(execArgv: readonly string[], flags = BIN_V8_FLAGS): string[] {
  const given = new Set(execArgv.filter((arg) => arg.startsWith('--')).map(flagName));
  return flags.filter((flag) => !given.has(flagName(flag)));
}

/**
 * Sets {@link BIN_V8_FLAGS} for this process, leaving alone each one the
 * command line already sets (`node --interrupt-budget=67584 …` keeps V8's
 * default). Call it before any thread starts.
 */
export function applyBinV8Flags(execArgv: readonly string[] = process.execArgv): void {
  for (const flag of flagsToSet(execArgv)) v8.setFlagsFromString(flag);
}
