// CI: every workspace bin runs by name, as a README tells a user to run it
// (`npx --no-install <bin> --help`). Before the build each must still be
// linked and say "run npm run build first"; after it, print its usage.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let failures = 0;
let checked = 0;
for (const dir of readdirSync(`${root}packages`)) {
  const manifest = `${root}packages/${dir}/package.json`;
  if (!existsSync(manifest)) continue;
  const { bin = {} } = JSON.parse(readFileSync(manifest, 'utf8'));
  const built = existsSync(`${root}packages/${dir}/dist/bin.js`);
  for (const name of Object.keys(bin)) {
    checked++;
    const run = spawnSync('npx', ['--no-install', name, '--help'], { cwd: root, encoding: 'utf8' });
    const ok = built
      ? run.status === 0 && run.stdout.startsWith(`usage: ${name} `)
      : run.status === 1 && run.stderr === `${name}: not built yet: run npm run build first\n`;
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${name} --help (${built ? 'built' : 'not built'}): exit ${run.status}`,
    );
    if (!ok) {
      failures++;
      process.stderr.write(run.stdout + run.stderr);
    }
  }
}
if (checked === 0) console.error('no workspace declares a bin: nothing checked');
process.exit(failures === 0 && checked > 0 ? 0 : 1);
