// The built bin on every endpoint kind: unix:, bad endpoints, systemd socket activation.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeBinEndpoints } from '@iomodels/conformance';
import { describe } from 'vitest';

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe.skipIf(!existsSync(bin))('iomodels-blocking (built bin)', () => {
  describeBinEndpoints('threading', { bin, label: 'blocking/threading' });
  describeBinEndpoints('forking', { bin, label: 'blocking/forking', args: ['--mode', 'forking'] });
  describeBinEndpoints('serial', { bin, label: 'blocking/serial', args: ['--mode', 'serial'] });
});
