import { packageProject } from '../../vitest.shared.ts';

// Each test runs programs as processes, with worker threads or children
// starting cold on a shared machine: waits are bounded (test/program.ts),
// and a test gets room for several of them.
export default packageProject('seed', { testTimeout: 90_000, hookTimeout: 30_000 });
