import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnknownHandlerError } from './errors.js';
import {
  BUILTIN_HANDLERS,
  loadHandler,
  parseHandlerArgument,
  serializeHandlerReference,
  toHandlerReference,
} from './handler-reference.js';
import { EchoHandler, IvrHandler } from './handlers/index.js';

describe('handler references', () => {
  it('resolves the short names to the built-in handlers', async () => {
    expect(await loadHandler('ivr')).toBe(IvrHandler);
    expect(await loadHandler('echo')).toBe(EchoHandler);
    expect(await loadHandler(BUILTIN_HANDLERS.ivr!)).toBe(IvrHandler);
  });

  it('loads a file[#export] relative to a directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iomodels-handler-'));
    await writeFile(
      join(dir, 'mine.mjs'),
      'export class Mine { handle() {} }\nexport default class Other { handle() {} }\nexport const notOne = 1;\n',
    );
    const named = parseHandlerArgument('./mine.mjs#Mine', dir);
    expect((await loadHandler(named)).name).toBe('Mine');
    expect((await loadHandler(parseHandlerArgument('mine.mjs', dir))).name).toBe('Other');
    await expect(loadHandler(parseHandlerArgument('./mine.mjs#notOne', dir))).rejects.toThrow(
      /not a handler class/,
    );
    await expect(loadHandler(parseHandlerArgument('./mine.mjs#Nope', dir))).rejects.toThrow(
      /has no export "Nope"/,
    );
    await expect(loadHandler(parseHandlerArgument('./missing.mjs', dir))).rejects.toThrow(
      /cannot load handler module/,
    );
  });

  it('rejects an unknown short name with the choices', () => {
    expect(() => parseHandlerArgument('nope')).toThrow(UnknownHandlerError);
    expect(() => parseHandlerArgument('nope')).toThrow(/built-in: ivr, echo/);
  });

  it('refuses to send a class across threads, explaining the fix', () => {
    expect(() => toHandlerReference(IvrHandler)).toThrow(/pass \{ module: import\.meta\.url/);
  });

  it('serialises URLs to strings for IPC', () => {
    const ref = { module: new URL('file:///x/h.js'), export: 'H' };
    expect(serializeHandlerReference(ref)).toEqual({ module: 'file:///x/h.js', export: 'H' });
  });
});
