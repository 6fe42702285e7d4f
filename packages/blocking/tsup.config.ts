import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
  entry: ['src/index.ts', 'src/bin.ts'],
  // each worker thread and each child process loads its entry at its start:
  // one file each, not three
  standalone: ['src/threading-worker.ts', 'src/forking-child.ts'],
  bundle: ['@iomodels/fd'],
});
