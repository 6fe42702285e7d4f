import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UnknownHandlerError } from './errors.js';
import {
  BUILTIN_HANDLERS,
  loadHandler,
  parseHandlerArgument,
  resolveHandlerModule,
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
      `cannot load handler module ${join(dir, 'missing.mjs')}: no such file`,
    );
  });

  it('resolves { module } and FILE#EXPORT by one rule: relative to the working directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iomodels-handler-'));
    await writeFile(join(dir, 'mine.mjs'), 'export class Mine { handle() {} }\n');
    // the temp file as a user in this working directory would name it
    const given = `./${relative(process.cwd(), join(dir, 'mine.mjs'))}`;
    expect((await loadHandler(`${given}#Mine`)).name).toBe('Mine');
    expect((await loadHandler({ module: given, export: 'Mine' })).name).toBe('Mine');
    const url = pathToFileURL(join(dir, 'mine.mjs'));
    expect(toHandlerReference({ module: given, export: 'Mine' })).toEqual({
      module: url,
      export: 'Mine',
    });
    expect(parseHandlerArgument(`${given}#Mine`)).toEqual({ module: url, export: 'Mine' });
    // absolute paths and URLs as they are
    expect((await loadHandler({ module: join(dir, 'mine.mjs'), export: 'Mine' })).name).toBe(
      'Mine',
    );
    expect((await loadHandler({ module: url.href, export: 'Mine' })).name).toBe('Mine');
  });

  it('names the path the user gave when the module is missing or broken, not an internal file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iomodels-handler-'));
    await writeFile(join(dir, 'broken.mjs'), 'export class {\n');
    const missing = loadHandler({ module: './no-such-handler.mjs' });
    await expect(missing).rejects.toThrow(UnknownHandlerError);
    await expect(missing).rejects.toThrow(
      `cannot load handler module ${resolve('no-such-handler.mjs')}: no such file`,
    );
    const broken = loadHandler({ module: join(dir, 'broken.mjs') });
    await expect(broken).rejects.toThrow(`cannot load handler module ${join(dir, 'broken.mjs')}: `);
    const bare = loadHandler({ module: 'iomodels-no-such-package' });
    await expect(bare).rejects.toThrow(
      /^cannot load handler module iomodels-no-such-package: Cannot find package 'iomodels-no-such-package'$/,
    );
  });

  it('keeps URLs and package names, resolves paths', () => {
    expect(resolveHandlerModule('./h.mjs', '/srv')).toEqual(pathToFileURL('/srv/h.mjs'));
    expect(resolveHandlerModule('../h.mjs', '/srv/app')).toEqual(pathToFileURL('/srv/h.mjs'));
    expect(resolveHandlerModule('/abs/h.mjs', '/srv')).toEqual(pathToFileURL('/abs/h.mjs'));
    expect(resolveHandlerModule('file:///x/h.mjs', '/srv')).toEqual(new URL('file:///x/h.mjs'));
    expect(resolveHandlerModule('my-handlers/ivr', '/srv')).toBe('my-handlers/ivr');
    expect(resolveHandlerModule('@iomodels/contract/handlers', '/srv')).toBe(
      '@iomodels/contract/handlers',
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
