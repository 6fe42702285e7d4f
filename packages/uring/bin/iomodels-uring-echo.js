#!/usr/bin/env node
// Committed launcher for the built bin: npm links bins at install time, and on
// a fresh clone dist/ does not exist until the first build.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (existsSync(entry)) await import(entry.href);
else {
  process.stderr.write('iomodels-uring-echo: not built yet: run npm run build first\n');
  process.exit(1);
}
