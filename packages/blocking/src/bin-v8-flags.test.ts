import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN_V8_FLAGS, binV8Flags, flagsToSet } from './bin-v8-flags.js';

describe('flagsToSet', () => {
  it('sets every bin flag when the command line names none', () => {
    expect(flagsToSet(['--enable-source-maps'])).toEqual([...BIN_V8_FLAGS]);
  });

  it('leaves a flag the command line sets, either way, to the command line', () => {
    const flags = ['--always-sparkplug', '--interrupt-budget=16384'];
    expect(flagsToSet(['--no-always-sparkplug'], flags)).toEqual(['--interrupt-budget=16384']);
    expect(flagsToSet(['--interrupt_budget=67584'], flags)).toEqual(['--always-sparkplug']);
  });
});

describe('binV8Flags', () => {
  it('sets the budget only on engines that have the flag (V8 11, Node 20)', () => {
    expect(binV8Flags('11.3.244.8-node.38')).toEqual(['--interrupt-budget=16384']);
    expect(binV8Flags('12.4.254.21-node.57')).toEqual([]);
    expect(binV8Flags('13.6.233.17-node.63')).toEqual([]);
  });

  it('sets nothing the running node rejects', () => {
    const run = spawnSync(process.execPath, [...BIN_V8_FLAGS, '-e', '0'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
