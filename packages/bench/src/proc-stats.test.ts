import { describe, expect, it } from 'vitest';
import { procAvailable, processTree, treeMemory } from './proc-stats.js';

describe.runIf(procAvailable())('proc-stats', () => {
  it('reads the process tree and its memory', () => {
    expect(processTree(process.pid)).toContain(process.pid);
    const memory = treeMemory(process.pid)!;
    expect(memory.rss).toBeGreaterThan(1024 * 1024);
    expect(memory.pss).toBeGreaterThan(0);
    expect(memory.anon).toBeGreaterThan(0);
    expect(memory.anon).toBeLessThanOrEqual(memory.pss);
    expect(memory.processes).toBeGreaterThanOrEqual(1);
  });
});
