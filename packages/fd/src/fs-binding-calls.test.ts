import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsBindingCalls } from './fs-binding-calls.js';

describe('fsBindingCalls', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iomodels-fs-binding-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('calls the binding directly on the runtimes it was checked on (Node 20 to 24)', () => {
    const major = Number(process.versions.node.split('.')[0]);
    if (major <= 24) expect(fsBindingCalls().direct).toBe(true);
  });

  it('reads and writes at the descriptor position, as fs.readSync / fs.writeSync', () => {
    const { read, write } = fsBindingCalls();
    const file = path.join(dir, 'data');
    const fd = fs.openSync(file, 'w+');
    try {
      expect(write(fd, Buffer.from('xxhello'), 2, 5)).toBe(5);
      expect(write(fd, Buffer.from('!'), 0, 1)).toBe(1);
      expect(fs.readFileSync(file, 'utf8')).toBe('hello!');
      const reader = fs.openSync(file, 'r');
      const into = Buffer.alloc(8);
      expect(read(reader, into, 1, 4)).toBe(4);
      expect(read(reader, into, 5, 3)).toBe(2);
      expect(read(reader, into, 0, 1)).toBe(0); // end of file
      expect(into.subarray(1, 7).toString()).toBe('hello!');
      fs.closeSync(reader);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('throws system errors with their code, as the public functions do', () => {
    const { read, write } = fsBindingCalls();
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, 'abc');
    const readOnly = fs.openSync(file, 'r');
    try {
      expect(() => write(readOnly, Buffer.from('x'), 0, 1)).toThrow(
        expect.objectContaining({ code: 'EBADF', syscall: 'write' }),
      );
    } finally {
      fs.closeSync(readOnly);
    }
    expect(() => read(readOnly, Buffer.alloc(4), 0, 4)).toThrow(
      expect.objectContaining({ code: 'EBADF' }),
    );
  });

  it('writes again after a failed write: the error does not stick to later calls', () => {
    const { write } = fsBindingCalls();
    const file = path.join(dir, 'data');
    fs.writeFileSync(file, '');
    const readOnly = fs.openSync(file, 'r');
    const writable = fs.openSync(file, 'w');
    try {
      expect(() => write(readOnly, Buffer.from('x'), 0, 1)).toThrow(
        expect.objectContaining({ code: 'EBADF' }),
      );
      expect(write(writable, Buffer.from('ok'), 0, 2)).toBe(2);
      expect(() => write(readOnly, Buffer.from('y'), 0, 1)).toThrow(
        expect.objectContaining({ code: 'EBADF' }),
      );
      expect(write(writable, Buffer.from('!'), 0, 1)).toBe(1);
      expect(fs.readFileSync(file, 'utf8')).toBe('ok!');
    } finally {
      fs.closeSync(readOnly);
      fs.closeSync(writable);
    }
  });

  it('leaves arguments the binding would abort on to the public functions', () => {
    const { read, write } = fsBindingCalls();
    const fd = fs.openSync(path.join(dir, 'data'), 'w+');
    try {
      expect(read(fd, Buffer.alloc(4), 0, 0)).toBe(0);
      expect(() => read(fd, Buffer.alloc(4), 2, 4)).toThrow(RangeError);
      expect(() => write(fd, Buffer.alloc(4), 4, 1)).toThrow(RangeError);
      expect(() => read(-1, Buffer.alloc(4), 0, 4)).toThrow(RangeError);
      expect(() => read(1.5, Buffer.alloc(4), 0, 4)).toThrow(RangeError);
      expect(() => read(fd, [1, 2] as unknown as Uint8Array, 0, 1)).toThrow(TypeError);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('falls back to fs.readSync / fs.writeSync when the runtime calls its binding otherwise', () => {
    const other = fsBindingCalls(
      'function readSync(fd, buffer) { return binding.read(fd, buffer, undefined, ctx) }',
      fs.writeSync.toString(),
    );
    expect(other.direct).toBe(false);
    expect(fsBindingCalls(undefined, undefined, null).direct).toBe(false);
  });
});
