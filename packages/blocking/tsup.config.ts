import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
  // the worker thread and the child process load their own entry files
  entry: ['src/index.ts', 'src/bin.ts', 'src/threading-worker.ts', 'src/forking-child.ts'],
  bundle: ['@iomodels/fd'],
});
