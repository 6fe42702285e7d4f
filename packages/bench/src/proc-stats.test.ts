import { describe, expect, it } from 'vitest';
import { procAvailable, processTree, treeCpuSeconds, treeMemory } from './proc-stats.js';

describe.runIf(procAvailable())('proc-stats', () => {
  it('reads CPU and memory of a process tree', () => {
    expect(processTree(process.pid)).toContain(process.pid);
    expect(treeCpuSeconds(process.pid)).toBeGreaterThan(0);
    const memory = treeMemory(process.pid)!;
    expect(memory.rss).toBeGreaterThan(1024 * 1024);
    expect(memory.pss).toBeGreaterThan(0);
    expect(memory.processes).toBeGreaterThanOrEqual(1);
  });
});
