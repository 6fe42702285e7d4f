// Where the built worker/child entry files are. Threads and children run
// plain Node, which loads built JavaScript: from dist/ next to this module
// when bundled, from the package's dist/ when this file runs from source.
import { fileURLToPath } from 'node:url';

/** The path of the built entry `name` (e.g. `threading-worker`). */
export function entryFile(name: string): string {
  const here = new URL('.', import.meta.url);
  const built = here.pathname.endsWith('/src/')
    ? new URL(`../dist/${name}.js`, here)
    : new URL(`./${name}.js`, here);
  return fileURLToPath(built);
}
