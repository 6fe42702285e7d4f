// Shared test settings: sibling packages resolve from their sources, so no
// test waits on another package's build.
import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

export const sourceAliases: Record<string, string> = {
  '@iomodels/contract/handlers': `${root}packages/contract/src/handlers/index.ts`,
  '@iomodels/contract': `${root}packages/contract/src/index.ts`,
  '@iomodels/client': `${root}packages/client/src/index.ts`,
  '@iomodels/conformance': `${root}packages/conformance/src/index.ts`,
};

export function packageProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { alias: sourceAliases },
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...extra,
    },
  });
}
