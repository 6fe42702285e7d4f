import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({ entry: ['src/index.ts', 'src/bin.ts'] });
