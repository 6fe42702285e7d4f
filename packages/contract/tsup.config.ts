import { packageConfig } from '../../tsup.shared.ts';

// core: the handler side alone, for worker threads and child processes (see src/core.ts)
export default packageConfig({ entry: ['src/index.ts', 'src/core.ts', 'src/handlers/index.ts'] });
