// The built bin on every endpoint kind: unix:, bad endpoints, systemd socket activation.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBinEndpoints } from '@iomodels/conformance';
import { describe } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe.skipIf(!existsSync(bin))('iomodels-nonblocking (built bin)', () => {
  describeBinEndpoints('polling', { bin, label: 'nonblocking/polling', workers: true });
});
