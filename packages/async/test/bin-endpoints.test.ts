// The built bin on every endpoint kind: unix:, bad endpoints, systemd socket activation.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBinEndpoints } from '@iomodels/conformance';
import { describe } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe.skipIf(!existsSync(bin))('iomodels-async (built bin)', () => {
  describeBinEndpoints('proactor', { bin, label: 'async/proactor', workers: true });
});
