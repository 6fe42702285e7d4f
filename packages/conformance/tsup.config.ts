import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
  entry: [
    'src/index.ts',
    'src/handlers.ts',
    'src/reference-bin.ts',
    // loaded in worker threads: the worker-hosted server's entry, and the
    // reference server on its own (index.js imports vitest)
    'src/worker-hosted-entry.ts',
    'src/reference-server.ts',
  ],
});
