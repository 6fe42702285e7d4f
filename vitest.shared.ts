// Shared test settings: sibling packages resolve from their sources, so no
// in-process test waits on another package's build. (Code that runs in
// another thread or process — workers, children, bins — loads built files.)
import { fileURLToPath } from 'node:url';
import { defineProject, type UserWorkspaceConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const source = (pkg: string, file = 'index.ts') => `${root}packages/${pkg}/src/${file}`;

export const sourceAliases: Record<string, string> = {
  '@iomodels/contract/handlers': source('contract', 'handlers/index.ts'),
  '@iomodels/contract/core': source('contract', 'core.ts'),
  '@iomodels/contract/testing': source('contract', 'testing/index.ts'),
  '@iomodels/contract': source('contract'),
  '@iomodels/client': source('client'),
  '@iomodels/conformance/handlers': source('conformance', 'handlers.ts'),
  '@iomodels/conformance': source('conformance'),
  '@iomodels/fd': source('fd'),
  '@iomodels/blocking': source('blocking'),
  '@iomodels/nonblocking': source('nonblocking'),
  '@iomodels/multiplex/testing': source('multiplex', 'testing/index.ts'),
  '@iomodels/multiplex': source('multiplex'),
  '@iomodels/async': source('async'),
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
