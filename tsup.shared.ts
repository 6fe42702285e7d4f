// The one build configuration every package extends with its entries only.
// tsup is unmaintained upstream (tsdown succeeds it but needs Node 22):
// keeping all options here means a later switch touches this file alone.
import { basename, extname } from 'node:path';
import { defineConfig, type Options } from 'tsup';

export interface PackageBuild {
  /** Entry files, relative to the package folder. */
  entry: string[];
  /**
   * Entry files built as one self-contained file each, sharing no chunk
   * with the other entries (private workspace packages inlined, the
   * published ones still imported): what a worker thread or child process
   * loads at every start, where each further module file to resolve and
   * load costs CPU (about 1 ms each for a Node 20 worker). No types.
   */
  standalone?: string[];
  /** Private workspace packages to inline (e.g. `@iomodels/fd`). */
  bundle?: string[];
}

export function packageConfig({ entry, standalone = [], bundle = [] }: PackageBuild) {
  const common: Options = {
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    treeshake: true,
    noExternal: bundle,
  };
  const options: Options = {
    ...common,
    entry,
    // Types of bundled private packages are inlined too: users cannot resolve them.
    dts: bundle.length > 0 ? { resolve: bundle } : true,
    // The standalone build writes to the same folder at the same time: keep its files.
    clean: standalone.map((file) => `!${basename(file, extname(file))}.js*`),
    splitting: true,
  };
  if (standalone.length === 0) return defineConfig({ ...options, clean: true });
  return defineConfig([
    options,
    { ...common, entry: standalone, dts: false, clean: false, splitting: false },
  ]);
}
