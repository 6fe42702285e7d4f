// The one build configuration every package extends with its entries only.
// tsup is unmaintained upstream (tsdown succeeds it but needs Node 22):
// keeping all options here means a later switch touches this file alone.
import { defineConfig, type Options } from 'tsup';

export interface PackageBuild {
  /** Entry files, relative to the package folder. */
  entry: string[];
  /** Private workspace packages to inline (e.g. `@iomodels/fd`). */
  bundle?: string[];
}

export function packageConfig({ entry, bundle = [] }: PackageBuild) {
  const options: Options = {
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    // Types of bundled private packages are inlined too: users cannot resolve them.
    dts: bundle.length > 0 ? { resolve: bundle } : true,
    sourcemap: true,
    clean: true,
    splitting: true,
    treeshake: true,
    noExternal: bundle,
  };
  return defineConfig(options);
}
