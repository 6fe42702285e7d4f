// The shared CLI's endpoints, on the reference server's bin (built).
import { fileURLToPath } from 'node:url';
import { describeBinEndpoints } from '../src/describe-bin-endpoints.js';

describeBinEndpoints('iomodels-reference', {
  bin: fileURLToPath(new URL('../dist/reference-bin.js', import.meta.url)),
  label: 'reference/stream',
});
