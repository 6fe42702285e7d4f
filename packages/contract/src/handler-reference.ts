// Naming a handler so that another thread or process can load it: by short
// name, by module reference, or (in-process only) by class.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HandlerClass } from './base-request-handler.js';
import { UnknownHandlerError } from './errors.js';
import * as builtins from './handlers/index.js';

/** A handler named by module: loadable anywhere the module resolves. */
export interface HandlerReference {
  /** A module specifier or URL (`file:` URLs for files). */
  readonly module: string | URL;
  /** The export that holds the class; default `default`. */
  readonly export?: string;
}

/** What servers accept: a class (in-process models only), a reference, or a short name. */
export type HandlerSpec = HandlerClass | HandlerReference | string;

const BUILTIN_MODULE = '@iomodels/contract/handlers';

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
  const url = pathToFileURL(isAbsolute(file) ? file : resolve(cwd, file));
  return exportName ? { module: url, export: exportName } : { module: url };
}

/** Turns a spec into a reference another thread or process can load; a bare class cannot cross. */
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
  return spec;
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
  const specifier = ref.module instanceof URL ? ref.module.href : ref.module;
  const exportName = ref.export ?? 'default';
  let namespace: Record<string, unknown>;
  if (specifier === BUILTIN_MODULE) {
    namespace = builtins;
  } else {
    try {
      namespace = (await import(specifier)) as Record<string, unknown>;
    } catch (cause) {
      throw new UnknownHandlerError(`cannot load handler module ${specifier}: ${message(cause)}`, {
        cause,
      });
    }
  }
  const candidate = namespace[exportName];
  if (candidate === undefined) {
    const exported = Object.keys(namespace).join(', ') || 'nothing';
    throw new UnknownHandlerError(
      `handler module ${specifier} has no export "${exportName}" (it exports: ${exported})`,
    );
  }
  return checkHandler(candidate, `${specifier}#${exportName}`);
}

function checkHandler(candidate: unknown, where: string): HandlerClass {
  if (typeof candidate !== 'function' || typeof candidate.prototype?.handle !== 'function') {
    throw new UnknownHandlerError(`${where} is not a handler class (no handle() method)`);
  }
  return candidate as HandlerClass;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
