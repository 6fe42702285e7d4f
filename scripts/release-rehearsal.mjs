// CI: a release rehearsal against a real npm registry (verdaccio) on a free
// loopback port, everything in one temporary folder, nothing left running:
//   1. a copy of the repo (as built) runs `changeset version` and
//      `changeset publish` against the registry;
//   2. empty consumer projects install one model each from that registry
//      alone (its contract comes along), run its bin, then add the client
//      and run the seed's handler and one IVR dialogue from their own code;
//   3. a changeset that bumps one package alone republishes only that one.
// The checkout it runs in is read, never written. Needs a build first.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const MODELS = {
  multiplex: 'ReactorTCPServer',
  blocking: 'ThreadingTCPServer',
  async: 'ProactorTCPServer',
  nonblocking: 'PollingTCPServer',
};
/** The package the rehearsal bumps alone in its second release. */
const BUMPED = '@iomodels/nonblocking';
const started = Date.now();

function step(text) {
  console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);
}

function fail(text) {
  throw new Error(`release rehearsal: ${text}`);
}

/** Runs a command to completion; its output is shown only when it fails. */
function run(command, args, options) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    fail(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited ${result.status ?? result.signal}`,
    );
  }
  return result.stdout;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForRegistry(url, registry) {
  for (let i = 0; i < 1200; i++) {
    if (registry.exitCode !== null) fail(`verdaccio exited with ${registry.exitCode}`);
    try {
      if ((await get(`${url}-/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  fail('verdaccio did not answer within 120 s');
}

/** Registers a throwaway user; returns its token (npm refuses to publish without one). */
async function addUser(url) {
  const name = 'rehearsal';
  const response = await fetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'rehearsal-password', type: 'user', roles: [] }),
  });
  const body = await response.json();
  if (!body.token) fail(`cannot add a user to the registry: ${JSON.stringify(body)}`);
  return body.token;
}

/** GET with a retry: the registry may close an idle kept-alive socket just as it is reused. */
async function get(url) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url);
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

/** Versions of a package the registry holds (none: empty). */
async function publishedVersions(url, name) {
  const response = await get(`${url}${name.replace('/', '%2f')}`);
  if (response.status === 404) return [];
  return Object.keys((await response.json()).versions ?? {});
}

function publicPackages(repo) {
  return ['contract', 'client', ...Object.keys(MODELS)].map((dir) => {
    const manifest = JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8'));
    if (manifest.private) fail(`packages/${dir} is private`);
    return { name: manifest.name, version: manifest.version };
  });
}

/** The repo as checked out and built, without node_modules (linked) or git history. */
function copyRepo(repo) {
  cpSync(root, repo, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|\.git|\.turbo|tmp)$/.test(source),
  });
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));
  // changesets reads git for the changelog's commits: a one-commit history.
  const git = ['-c', 'user.name=rehearsal', '-c', 'user.email=rehearsal@localhost'];
  run('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, '.git', 'info', 'exclude'), 'node_modules\n');
  run('git', ['add', '-A'], { cwd: repo });
  run('git', [...git, 'commit', '-qm', 'snapshot'], { cwd: repo });
}

function changeset(repo, env, args) {
  const cli = join(root, 'node_modules', '@changesets', 'cli', 'bin.js');
  return run(process.execPath, [cli, ...args], { cwd: repo, env });
}

const SEED_HANDLER = `import { BaseRequestHandler } from '@iomodels/contract';

export class MyServer extends BaseRequestHandler {
  async handle() {
    const conn = this.request;
    await conn.sendall('欢迎致电 10086,请输入1xxx,0转人工服务.');
    for (;;) {
      const data = new TextDecoder().decode(await conn.recv(1024));
      if (data === '' || data === 'exit') return;
      await conn.sendall(data === '0' ? '通过可能会被录音.balabala一大推' : '请重新输入.');
    }
  }
}
`;

const DIALOGUE = `// One IVR call from a consumer's own code: the seed's handler on the model
// named in argv, on port 0, and the client SDK, bytes checked.
import { connect } from '@iomodels/client';

const [model, className] = process.argv.slice(2);
const { [className]: Server } = await import(\`@iomodels/\${model}\`);
const server = new Server({ module: './my-handler.mjs', export: 'MyServer' }, { port: 0 });
const { port } = await server.listen();
const client = await connect({ port, timeout: 10_000 });

async function expectBytes(text) {
  const expected = Buffer.from(text);
  const received = [];
  let length = 0;
  while (length < expected.length) {
    const chunk = await client.recv();
    if (chunk.length === 0) break;
    received.push(chunk);
    length += chunk.length;
  }
  const got = Buffer.concat(received);
  if (!got.equals(expected)) throw new Error(\`expected \${JSON.stringify(text)}, got \${JSON.stringify(got.toString())}\`);
}

await expectBytes('欢迎致电 10086,请输入1xxx,0转人工服务.');
await client.sendall('0');
await expectBytes('通过可能会被录音.balabala一大推');
await client.sendall('1234');
await expectBytes('请重新输入.');
await client.sendall('exit');
if ((await client.recv()).length !== 0) throw new Error('the server did not close after exit');
await client.close();
const report = await server.close({ timeout: 5_000 });
console.log(\`ok \${model}: \${server.stats().completed} call completed, \${report.aborted} aborted\`);
`;

function consumer(dir, env, packages) {
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  run('npm', ['install', ...packages], { cwd: dir, env });
  const installed = run('npm', ['ls', '--all', '--parseable'], { cwd: dir, env })
    .split('\n')
    .filter((line) => line.includes('node_modules'))
    .map((line) => line.slice(line.lastIndexOf('node_modules') + 'node_modules/'.length));
  return installed.sort();
}

async function rehearse(work) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const storage = join(work, 'storage');
  const config = join(work, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      `  htpasswd: { file: ${JSON.stringify(join(work, 'htpasswd'))}, max_users: 10 }`,
      // no uplinks: what is not published here does not exist
      'uplinks: {}',
      'packages:',
      "  '**': { access: $all, publish: $authenticated, unpublish: $authenticated }",
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const bin = join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  step(`verdaccio on ${url} (storage ${storage})`);
  const registry = spawn(
    process.execPath,
    [bin, '--config', config, '--listen', `127.0.0.1:${port}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
    },
  );
  try {
    await waitForRegistry(url, registry);
    const npmrc = join(work, 'npmrc');
    writeFileSync(
      npmrc,
      `registry=${url}\n//127.0.0.1:${port}/:_authToken=${await addUser(url)}\n`,
    );
    const env = {
      ...process.env,
      npm_config_userconfig: npmrc,
      npm_config_registry: url,
      // an empty cache: every tarball comes from this registry
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };

    step('copy of the repo: changeset version, changeset publish');
    const repo = join(work, 'repo');
    copyRepo(repo);
    changeset(repo, env, ['version']);
    const first = publicPackages(repo);
    changeset(repo, env, ['publish', '--no-git-tag']);
    for (const { name, version } of first) {
      const versions = await publishedVersions(url, name);
      if (versions.join() !== version)
        fail(`${name}: the registry holds [${versions}], not ${version}`);
    }
    step(`published ${first.map(({ name, version }) => `${name}@${version}`).join(', ')}`);

    for (const [model, className] of Object.entries(MODELS)) {
      const dir = join(work, `consumer-${model}`);
      const alone = consumer(dir, env, [`@iomodels/${model}`]);
      const expected = ['@iomodels/contract', `@iomodels/${model}`].sort();
      if (alone.join() !== expected.join())
        fail(`installing @iomodels/${model} brought [${alone}]`);
      const help = run('npx', ['--no-install', `iomodels-${model}`, '--help'], { cwd: dir, env });
      if (!help.startsWith(`usage: iomodels-${model} `)) fail(`iomodels-${model} --help: ${help}`);
      run('npm', ['install', '@iomodels/client'], { cwd: dir, env });
      writeFileSync(join(dir, 'my-handler.mjs'), SEED_HANDLER);
      writeFileSync(join(dir, 'dialogue.mjs'), DIALOGUE);
      const said = run(process.execPath, ['dialogue.mjs', model, className], { cwd: dir, env });
      step(
        `consumer: npm install @iomodels/${model} → ${alone.join(' + ')}; bin --help; ${said.trim()}`,
      );
    }
    const clientAlone = consumer(join(work, 'consumer-client'), env, ['@iomodels/client']);
    if (clientAlone.join() !== '@iomodels/client,@iomodels/contract') {
      fail(`installing @iomodels/client brought [${clientAlone}]`);
    }
    const help = run('npx', ['--no-install', 'iomodels-client', '--help'], {
      cwd: join(work, 'consumer-client'),
      env,
    });
    if (!help.startsWith('usage: iomodels-client ')) fail(`iomodels-client --help: ${help}`);
    step(`consumer: npm install @iomodels/client → ${clientAlone.join(' + ')}; bin --help`);

    step(`a changeset for ${BUMPED} alone: version, publish`);
    writeFileSync(
      join(repo, '.changeset', 'rehearsal-bump.md'),
      `---\n'${BUMPED}': patch\n---\n\nRehearsal: one package released alone.\n`,
    );
    changeset(repo, env, ['version']);
    const second = publicPackages(repo);
    const output = changeset(repo, env, ['publish', '--no-git-tag']);
    for (const [i, { name, version }] of second.entries()) {
      const versions = await publishedVersions(url, name);
      const want = name === BUMPED ? [first[i].version, version] : [first[i].version];
      if (name === BUMPED && version === first[i].version) fail(`${BUMPED} was not bumped`);
      if (versions.join() !== want.join())
        fail(`${name}: the registry holds [${versions}], want [${want}]`);
    }
    const republished = second
      .filter(({ name }) => output.includes(`${name}@`))
      .map(({ name }) => name);
    if (republished.join() !== BUMPED) fail(`the second publish named [${republished}]`);
    const bumped = second.find(({ name }) => name === BUMPED);
    step(`republished ${BUMPED}@${bumped.version} alone; the other five kept their versions`);
  } finally {
    registry.kill('SIGTERM');
    if (registry.exitCode === null && registry.signalCode === null) {
      await new Promise((resolve) => registry.once('exit', resolve));
    }
    const stillThere = await new Promise((resolve) => {
      const probe = net.connect(port, '127.0.0.1');
      probe.once('connect', () => resolve(probe.destroy() ?? true));
      probe.once('error', () => resolve(false));
    });
    if (stillThere) fail(`something still listens on port ${port}`);
    step('verdaccio stopped');
  }
}

for (const dir of ['contract', 'client', ...Object.keys(MODELS)]) {
  if (!existsSync(join(root, 'packages', dir, 'dist')))
    fail(`packages/${dir} is not built: run npm run build first`);
}
const status = () =>
  spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout;
const before = status();
const work = mkdtempSync(join(tmpdir(), 'iomodels-release-'));
try {
  await rehearse(work);
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (status() !== before) fail('the checkout changed during the rehearsal');
step('release rehearsal passed');
