import { packageConfig } from '../../tsup.shared.ts';

export default packageConfig({
  entry: [
    'src/run-bench.ts',
    'src/run-compare.ts',
    'src/load-process.ts',
    'src/net-echo-server.ts',
  ],
});
