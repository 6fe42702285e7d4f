import { packageConfig } from '../../tsup.shared.ts';

// core: the handler side alone, for worker threads and child processes (see src/core.ts);
// testing: the in-memory connection pair for handler unit tests
export default packageConfig({
  entry: ['src/index.ts', 'src/core.ts', 'src/handlers/index.ts', 'src/testing/index.ts'],
});
