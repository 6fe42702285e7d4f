// Program 5: the "弑君者" event framework and the program that uses it.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { distFile } from './program.js';

/** Runs a module that imports the built framework as `event_drive`, then `lines`. */
function withFramework(...lines: string[]) {
  const framework = pathToFileURL(distFile('event-drive.js')).href;
  const script = [`import * as event_drive from '${framework}';`, ...lines].join('\n');
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

describe("event-drive (the seed's 弑君者 framework)", () => {
  it("runs the registered handler: exactly the seed's line", () => {
    const run = spawnSync(process.execPath, [distFile('event-drive-app.js')], { encoding: 'utf8' });
    expect(run.stdout).toBe('event-drive execute MyHandler\n');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it("fails a handler that does not overwrite execute, with the seed's message", () => {
    const run = withFramework(
      'class Lazy extends event_drive.BaseHandler {}',
      'event_drive.eventList.push(Lazy);',
      'event_drive.run();',
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Error: you must overwrite execute');
  });

  it('runs registered handlers in order, each a fresh instance', () => {
    const run = withFramework(
      'let made = 0;',
      'class A extends event_drive.BaseHandler { n = ++made; execute() { console.log("A", this.n) } }',
      'class B extends event_drive.BaseHandler { n = ++made; execute() { console.log("B", this.n) } }',
      'event_drive.eventList.push(A, B, A);',
      'event_drive.run();',
    );
    expect(run.stdout).toBe('A 1\nB 2\nA 3\n');
  });
});
