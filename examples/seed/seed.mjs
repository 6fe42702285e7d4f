// `npm run seed -- <program> [--port N]`: builds this workspace and what it
// depends on (turbo, quietly; its log only on failure), then runs one of the
// seed's programs in this terminal with the arguments that follow.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Program name → built file, in the seed's order. */
const PROGRAMS = {
  'threading-server': 'threading-server.js',
  client: 'client.js',
  'forking-server': 'forking-server.js',
  'select-thread': 'select-thread.js',
  'event-drive': 'event-drive-app.js',
  echo: 'echo.js',
  'call-flow': 'call-flow.js',
};

const [name, ...args] = process.argv.slice(2);
const file = PROGRAMS[name];
if (!file) {
  console.error(
    `usage: npm run seed -- <program> [--port N]\nprograms: ${Object.keys(PROGRAMS).join(', ')}`,
  );
  process.exit(2);
}

// SEED_SKIP_BUILD=1: the tests, which run after the build and beside other
// packages' tests (a cache replay would rewrite files those are loading).
if (process.env.SEED_SKIP_BUILD !== '1') {
  const build = spawnSync(
    'npx',
    ['turbo', 'run', 'build', '--filter=@iomodels/examples-seed...', '--output-logs=errors-only'],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
    },
  );
  if (build.status !== 0) {
    process.stderr.write(build.stdout + build.stderr);
    process.exit(build.status ?? 1);
  }
}

const child = spawn(process.execPath, [`${here}dist/${file}`, ...args], { stdio: 'inherit' });
// Ctrl-C reaches the program too (same process group); a signal sent to this
// runner alone is passed on. Either way the runner ends when the program does.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
