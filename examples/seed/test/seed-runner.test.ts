// `npm run seed -- <program>`: the one command the README documents.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runner = fileURLToPath(new URL('../seed.mjs', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [runner, ...args], {
    encoding: 'utf8',
    // built already (turbo: test depends on build); building here could
    // rewrite files other packages' tests are loading
    env: { ...process.env, SEED_SKIP_BUILD: '1' },
    timeout: 60_000,
  });

describe('seed.mjs (npm run seed)', () => {
  it('lists the programs when none or an unknown one is named', () => {
    for (const args of [[], ['nope']]) {
      const result = run(...args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(
        'programs: threading-server, client, forking-server, select-thread, event-drive, echo, call-flow',
      );
    }
  });

  it('runs the named program with its output, nothing else', () => {
    const result = run('event-drive');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('event-drive execute MyHandler\n');
    expect(result.status).toBe(0);
  });
});
