// The handler-side entry must hand out the package root's own objects: a
// handler importing '@iomodels/contract' has to recognise the errors a
// connection built on '@iomodels/contract/core' throws.
import { describe, expect, it } from 'vitest';

/** The built entry points, as another thread or process loads them (not the sources). */
const built = (file: string) => import(new URL(`../dist/${file}`, import.meta.url).href);

describe('@iomodels/contract/core', () => {
  it('every export is the package root export of the same name', async () => {
    const core: Record<string, unknown> = await import('./core.js');
    const root: Record<string, unknown> = await import('./index.js');
    for (const [name, value] of Object.entries(core)) expect(root[name], name).toBe(value);
  });

  it('the built entries share one copy of each class', async () => {
    const core: Record<string, unknown> = await built('core.js');
    const root: Record<string, unknown> = await built('index.js');
    expect(Object.keys(core).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(core)) expect(root[name], name).toBe(value);
  });

  it('leaves out the servers and the CLI', async () => {
    const core: Record<string, unknown> = await built('core.js');
    for (const name of ['BaseServer', 'runServerCli', 'SocketConnection']) {
      expect(core[name], name).toBeUndefined();
    }
  });
});
