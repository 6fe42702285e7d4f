import { describe, expect, it } from 'vitest';
import { runShutdownSequence, type ShutdownTarget } from './shutdown-sequence.js';

/** A fake request that finishes when the step it waits for happens. */
function target(finishOn: 'signal' | 'closeWrite' | 'abort' | 'never') {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const steps: string[] = [];
  const step = (name: string) => () => {
    steps.push(name);
    if (name === finishOn) finish();
  };
  const t: ShutdownTarget = {
    done,
    signal: step('signal'),
    closeWrite: step('closeWrite'),
    abort: step('abort'),
  };
  return { t, steps };
}

describe('runShutdownSequence', () => {
  it('classifies requests by the step that ended them', async () => {
    const a = target('signal');
    const b = target('closeWrite');
    const c = target('abort');
    const d = target('never');
    const report = await runShutdownSequence([a.t, b.t, c.t, d.t], {
      grace: 20,
      closeWriteGrace: 20,
      abortGrace: 20,
    });
    expect(report).toEqual({ completed: 1, interrupted: 1, aborted: 2, abandoned: 1 });
    expect(a.steps).toEqual(['signal']);
    expect(b.steps).toEqual(['signal', 'closeWrite']);
    expect(d.steps).toEqual(['signal', 'closeWrite', 'abort']);
  });

  it('returns at once with nothing open', async () => {
    const report = await runShutdownSequence([], {
      grace: 1e9,
      closeWriteGrace: 1e9,
      abortGrace: 1e9,
    });
    expect(report).toEqual({ completed: 0, interrupted: 0, aborted: 0, abandoned: 0 });
  });

  it('waits without limit when grace is infinite', async () => {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const pending = runShutdownSequence(
      [{ done, signal: () => setTimeout(finish, 50), closeWrite() {}, abort() {} }],
      { grace: Number.POSITIVE_INFINITY, closeWriteGrace: 0, abortGrace: 0 },
    );
    expect(await pending).toEqual({ completed: 1, interrupted: 0, aborted: 0, abandoned: 0 });
  });
});
