// Naming a handler so that another thread or process can load it: by short
// name, by module reference, or (in-process only) by class.
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HandlerClass } from './base-request-handler.js';
import { UnknownHandlerError } from './errors.js';
import * as builtins from './handlers/index.js';

/**
 * A handler named by module: loadable anywhere the module resolves.
 *
 * One rule for `module`, the same as `--handler FILE#EXPORT`: a path
 * (`./h.mjs`, `../h.mjs`, `/abs/h.mjs`) is a file, relative to the working
 * directory; a URL (`file:`, `data:`, a `URL` object) is used as is; a bare
 * name (`my-handlers`, `@scope/pkg/sub`) is a package, imported as is.
 */
export interface HandlerReference {
  /** A file path, a URL, or a package name; see the rule above. */
  readonly module: string | URL;
  /** The export that holds the class; default `default`. */
  readonly export?: string;
}

/** What servers accept: a class (in-process models only), a reference, or a short name. */
export type HandlerSpec = HandlerClass | HandlerReference | string;

/** The module the built-in handlers live in, stream and datagram. */
export const BUILTIN_MODULE = '@iomodels/contract/handlers';

/** The short names and what they stand for. */
export const BUILTIN_HANDLERS: Readonly<Record<string, HandlerReference>> = Object.freeze({
  ivr: { module: BUILTIN_MODULE, export: 'IvrHandler' },
  echo: { module: BUILTIN_MODULE, export: 'EchoHandler' },
});

/**
 * Parses the command line's `--handler`: a short name (`ivr`, `echo`) or
 * `<file>[#export]`, relative to `cwd`.
 */
export function parseHandlerArgument(text: string, cwd = process.cwd()): HandlerReference {
  const builtin = BUILTIN_HANDLERS[text];
  if (builtin) return builtin;
  const hash = text.lastIndexOf('#');
  const file = hash === -1 ? text : text.slice(0, hash);
  const exportName = hash === -1 ? undefined : text.slice(hash + 1);
  if (!/[./\\]/.test(file)) {
    const names = Object.keys(BUILTIN_HANDLERS).join(', ');
    throw new UnknownHandlerError(
      `unknown handler "${text}" (built-in: ${names}, or <file>[#export])`,
    );
  }
  const url = resolveHandlerModule(isAbsolute(file) ? file : `./${file}`, cwd);
  return exportName ? { module: url, export: exportName } : { module: url };
}

/**
 * The one resolution rule of `HandlerReference.module` (see there): paths
 * become `file:` URLs against `cwd`, URLs stay, package names stay strings.
 */
export function resolveHandlerModule(module: string | URL, cwd = process.cwd()): string | URL {
  if (module instanceof URL) return module;
  if (/^\.\.?([/\\]|$)/.test(module) || isAbsolute(module)) {
    return pathToFileURL(resolve(cwd, module));
  }
  // A scheme of two letters or more (`file:`, `data:`); `C:` is a Windows drive, taken above.
  if (/^[a-z][a-z\d+.-]+:/i.test(module)) return new URL(module);
  return module;
}

/**
 * Turns a spec into a reference another thread or process can load, its
 * module resolved by the one rule (so a relative path means the same in the
 * worker); a bare class cannot cross.
 */
export function toHandlerReference(spec: HandlerSpec): HandlerReference {
  if (typeof spec === 'string') return parseHandlerArgument(spec);
  if (typeof spec === 'function') {
    throw new UnknownHandlerError(
      `handler class ${spec.name} cannot be sent to another thread or process; ` +
        'pass { module: import.meta.url, export: "' +
        spec.name +
        '" } instead',
    );
  }
  const module = resolveHandlerModule(spec.module);
  return spec.export === undefined ? { module } : { module, export: spec.export };
}

/** Serialisable form of a reference (URLs become strings) for `postMessage` / IPC. */
export function serializeHandlerReference(ref: HandlerReference): {
  module: string;
  export?: string;
} {
  const module = ref.module instanceof URL ? ref.module.href : ref.module;
  return ref.export === undefined ? { module } : { module, export: ref.export };
}

/** Loads the handler class a spec names, checking that it is one. */
export async function loadHandler(spec: HandlerSpec): Promise<HandlerClass> {
  if (typeof spec === 'function') return checkHandler(spec, spec.name);
  const ref = typeof spec === 'string' ? parseHandlerArgument(spec) : spec;
  const module = resolveHandlerModule(ref.module);
  // Errors name the module as the user knows it: a file by its path, never
  // by a URL or by the internal file of ours that imported it.
  const shown =
    module instanceof URL && module.protocol === 'file:' ? fileURLToPath(module) : String(module);
  const exportName = ref.export ?? 'default';
  let namespace: Record<string, unknown>;
  if (module === BUILTIN_MODULE) {
    namespace = builtins;
  } else {
    if (module instanceof URL && module.protocol === 'file:' && !existsSync(module)) {
      throw new UnknownHandlerError(`cannot load handler module ${shown}: no such file`);
    }
    try {
      namespace = (await import(module instanceof URL ? module.href : module)) as Record<
        string,
        unknown
      >;
    } catch (cause) {
      throw new UnknownHandlerError(`cannot load handler module ${shown}: ${message(cause)}`, {
        cause,
      });
    }
  }
  const candidate = namespace[exportName];
  if (candidate === undefined) {
    const exported = Object.keys(namespace).join(', ') || 'nothing';
    throw new UnknownHandlerError(
      `handler module ${shown} has no export "${exportName}" (it exports: ${exported})`,
    );
  }
  return checkHandler(candidate, `${shown}#${exportName}`);
}

function checkHandler(candidate: unknown, where: string): HandlerClass {
  if (typeof candidate !== 'function' || typeof candidate.prototype?.handle !== 'function') {
    throw new UnknownHandlerError(`${where} is not a handler class (no handle() method)`);
  }
  return candidate as HandlerClass;
}

/** The first line of an import error, without the internal file that did the importing. */
function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? '').replace(/ imported from \S+/, '');
}
