import type { Options } from 'tsup';
import { packageConfig } from '../../tsup.shared.ts';

// Not bundled: each source file becomes its own file in dist, imports kept.
// A program's `import.meta.url` must be its own file: worker threads and
// child processes load the seed's handler classes by it, and `isMain`
// compares it with the script node was started with. (Bundling would copy
// `threading-server`'s main block into `forking-server`.)
const config = packageConfig({ entry: ['src/*.ts'] }) as Options;

export default { ...config, bundle: false, dts: false } satisfies Options;
