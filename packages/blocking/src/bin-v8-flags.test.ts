import { describe, expect, it } from 'vitest';
import { BIN_V8_FLAGS, flagsToSet } from './bin-v8-flags.js';

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
