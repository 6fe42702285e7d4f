// `npm start`: build, start the 10086 IVR demo server on 127.0.0.1:8009 with
// one IO model, and attach the interactive client in this terminal. Typing
// `exit` ends the call; the server is then stopped too.
//   npm start                      the default model (multiplex)
//   npm start -- --model blocking  another model
//   npm start -- --port 0          any free port
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODELS = ['multiplex', 'async', 'blocking', 'nonblocking'];

let values;
try {
  ({ values } = parseArgs({
    options: {
      model: { type: 'string', default: 'multiplex' },
      mode: { type: 'string' },
      port: { type: 'string', default: '8009' },
    },
  }));
} catch (error) {
  console.error(`npm start: ${error.message}`);
  process.exit(2);
}
const { model, mode, port } = values;
if (!MODELS.includes(model)) {
  console.error(`npm start: --model must be one of ${MODELS.join(', ')}, got "${model}"`);
  process.exit(2);
}
const pkg = `${root}packages/${model}`;
if (!existsSync(`${pkg}/package.json`)) {
  const landed = MODELS.filter((m) => existsSync(`${root}packages/${m}/package.json`));
  console.error(
    `npm start: the ${model} model has not landed yet. ` +
      (landed.length
        ? `Available: ${landed.join(', ')}.`
        : 'No IO-model package has landed yet; the demo needs one.'),
  );
  process.exit(1);
}

// Only what the demo runs: the model and the client with their workspace
// dependencies (not the other models, not the bench); one line per package.
const started = Date.now();
const say = (line) => console.error(`npm start: ${line}`);
say(
  `building @iomodels/${model} and @iomodels/client with what they need (turbo; cached after the first time)`,
);
const turbo = spawn(
  'npx',
  [
    ...['turbo', 'run', 'build', `--filter=@iomodels/${model}...`, '--filter=@iomodels/client...'],
    '--output-logs=new-only',
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_NO_UPDATE_NOTIFIER: '1' },
  },
);
let log = '';
for (const stream of [turbo.stdout, turbo.stderr]) {
  stream.setEncoding('utf8');
  stream.on('data', (text) => {
    log += text;
    for (const [, pkg, outcome] of text.matchAll(/^(\S+):build: cache (hit|miss|bypass)/gm)) {
      say(`${pkg}: ${outcome === 'hit' ? 'up to date' : 'building…'}`);
    }
  });
}
const [status] = await new Promise((resolve) => turbo.on('close', (...end) => resolve(end)));
if (status !== 0) {
  process.stderr.write(log);
  say(`build failed (exit ${status})`);
  process.exit(status ?? 1);
}
say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s; starting the ${model} server`);

const serverArgs = [`${pkg}/dist/bin.js`, '--host', '127.0.0.1', '--port', port];
if (mode) serverArgs.push('--mode', mode);
const server = spawn(process.execPath, serverArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
server.on('exit', (code) => {
  if (!clientStarted) process.exit(code ?? 1);
});
let clientStarted = false;
let buffered = '';
server.stdout.setEncoding('utf8');
server.stdout.on('data', (text) => {
  if (clientStarted) return;
  buffered += text;
  const match = /listening on (\S+):(\d+) \((\S+)\)/.exec(buffered);
  if (!match) return;
  clientStarted = true;
  console.error(`server: ${match[0]} — type 0, anything else, or exit`);
  const client = spawn(
    process.execPath,
    [`${root}packages/client/dist/bin.js`, '--host', '127.0.0.1', '--port', match[2]],
    { stdio: 'inherit' },
  );
  client.on('exit', (code) => {
    server.kill('SIGINT');
    server.on('exit', () => process.exit(code ?? 0));
  });
});
