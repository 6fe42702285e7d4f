import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
  entry: ['src/index.ts', 'src/handlers.ts', 'src/reference-bin.ts'],
});
