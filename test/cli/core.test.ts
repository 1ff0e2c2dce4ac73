// The CLI core: where the connection comes from (flags > environment > config file
// contexts > default), the config file and `vnfm context`, the output formats, errors as
// one line with exit 1 (2 for usage), `vnfm version` against a real VNFM (over HTTPS with
// --ca-file too), and completion scripts that bash parses and completes with.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { freePort } from '../../testbed/lib/proc.ts';
import { bashCompletion } from '../../src/cli/completion.ts';
import { readConfig, resolveConnection } from '../../src/cli/context.ts';
import { cell, renderTable } from '../../src/cli/output.ts';
import { runVnfm, vnfmOk } from '../helpers/cli.ts';
import { selfSigned } from '../helpers/listeners.ts';
import { freshStore } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const execFileP = promisify(execFile);

/** A config file in a fresh directory, mode 0600. */
function configFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'vnfm-conf-')), 'config.yaml');
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

const twoContexts = `current-context: lab
contexts:
  - name: lab
    server: http://lab.example:9890
    token-file: lab.token
    ca-file: lab-ca.pem
  - name: prod
    server: https://prod.example
    client-id: ops
    client-secret-env: PROD_SECRET
`;

describe('connection precedence', () => {
  test('nothing configured: the default server, no credentials', () => {
    const c = resolveConnection({}, { VNFM_CONFIG: join(tmpdir(), 'no-such-dir', 'config.yaml') });
    assert.deepEqual(c, { server: 'http://127.0.0.1:9890', credentials: {}, source: 'default' });
  });

  test("the config file's current context; its relative files are relative to the file", () => {
    const path = configFile(twoContexts);
    const dir = join(path, '..');
    const c = resolveConnection({}, { VNFM_CONFIG: path });
    assert.deepEqual(c, {
      server: 'http://lab.example:9890',
      credentials: { tokenFile: join(dir, 'lab.token') },
      caFile: join(dir, 'lab-ca.pem'),
      source: 'context lab',
    });
    const prod = resolveConnection({}, { VNFM_CONFIG: path, VNFM_CONTEXT: 'prod' });
    assert.equal(prod.server, 'https://prod.example');
    assert.deepEqual(prod.credentials, { clientId: 'ops', clientSecretEnv: 'PROD_SECRET' });
    // The flag names a context over the environment.
    assert.equal(
      resolveConnection({ context: 'lab' }, { VNFM_CONFIG: path, VNFM_CONTEXT: 'prod' }).server,
      'http://lab.example:9890',
    );
  });

  test("a server from flags or environment leaves the file's contexts out (their credentials stay with their server)", () => {
    const path = configFile(twoContexts);
    const byFlag = resolveConnection(
      { server: 'http://other:1' },
      { VNFM_CONFIG: path, VNFM_URL: 'http://env:2' },
    );
    assert.deepEqual(byFlag, { server: 'http://other:1', credentials: {}, source: 'flags' });
    const byEnv = resolveConnection({}, { VNFM_CONFIG: path, VNFM_URL: 'http://env:2' });
    assert.deepEqual(byEnv, { server: 'http://env:2', credentials: {}, source: 'environment' });
    // Naming the context explicitly keeps its credentials with the server given.
    const both = resolveConnection({ server: 'http://other:1', context: 'prod' }, { VNFM_CONFIG: path });
    assert.equal(both.server, 'http://other:1');
    assert.deepEqual(both.credentials, { clientId: 'ops', clientSecretEnv: 'PROD_SECRET' });
  });

  test('credentials: flags over environment over the context, one kind whole (never mixed)', () => {
    const path = configFile(twoContexts);
    const env = { VNFM_CONFIG: path, VNFM_BASIC_USER: 'u', VNFM_BASIC_PASSWORD: 'p' };
    assert.deepEqual(resolveConnection({ tokenEnv: 'MINE' }, env).credentials, { tokenEnv: 'MINE' });
    assert.deepEqual(resolveConnection({}, env).credentials, {
      basicUser: 'u',
      basicPasswordEnv: 'VNFM_BASIC_PASSWORD',
    });
    assert.deepEqual(resolveConnection({}, { VNFM_CONFIG: path, VNFM_TOKEN: 't' }).credentials, {
      tokenEnv: 'VNFM_TOKEN',
    });
    assert.deepEqual(resolveConnection({}, { VNFM_CONFIG: path, VNFM_CLIENT_ID: 'c' }).credentials, {
      clientId: 'c',
      clientSecretEnv: 'VNFM_CLIENT_SECRET',
    });
    assert.equal(
      resolveConnection({ caFile: '/flag.pem' }, { ...env, VNFM_CA_FILE: '/env.pem' }).caFile,
      '/flag.pem',
    );
    assert.equal(resolveConnection({}, { ...env, VNFM_CA_FILE: '/env.pem' }).caFile, '/env.pem');
  });

  test('a context that does not exist, and malformed files, are errors naming what is wrong', () => {
    const path = configFile(twoContexts);
    assert.throws(
      () => resolveConnection({ context: 'nope' }, { VNFM_CONFIG: path }),
      /no context 'nope' in .*config\.yaml/,
    );
    const cases: [string, RegExp][] = [
      ['contexts: {}', /contexts must be a list/],
      ['extra: 1', /unknown key 'extra'/],
      ['contexts:\n  - name: a\n', /contexts\[0\] \(a\) has no server/],
      [
        'contexts:\n  - name: a\n    server: http://x\n    token: abc\n',
        /contexts\[0\]: unknown key 'token'/,
      ],
      [
        'contexts:\n  - {name: a, server: "http://x"}\n  - {name: a, server: "http://y"}\n',
        /two contexts are named 'a'/,
      ],
      ['contexts: [', /not YAML/],
    ];
    for (const [text, error] of cases) assert.throws(() => readConfig(configFile(text)), error, text);
    const open = configFile(twoContexts);
    chmodSync(open, 0o666);
    assert.throws(() => readConfig(open), /writable by group or others/);
  });
});

describe('vnfm context', () => {
  test('set, list, use, current, delete; the file is written 0600 without any secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-ctx-'));
    const env = { VNFM_CONFIG: join(dir, 'sub', 'config.yaml') };
    let r = await runVnfm(
      ['context', 'set', 'lab', '--server', 'http://127.0.0.1:1', '--token-env', 'LAB_TOKEN'],
      { env },
    );
    assert.equal(r.code, 0, r.stderr);
    r = await runVnfm(
      [
        'context',
        'set',
        'prod',
        '--server',
        'https://prod.example',
        '--basic-user',
        'ops',
        '--basic-password-env',
        'PW',
      ],
      { env, cwd: dir },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(env.VNFM_CONFIG).mode & 0o777, 0o600);
    const list = JSON.parse((await runVnfm(['context', 'list', '-o', 'json'], { env })).stdout);
    assert.deepEqual(list, [
      { name: 'lab', server: 'http://127.0.0.1:1', 'token-env': 'LAB_TOKEN' },
      { name: 'prod', server: 'https://prod.example', 'basic-user': 'ops', 'basic-password-env': 'PW' },
    ]);
    assert.match(
      (await runVnfm(['context', 'list'], { env })).stdout,
      /^CURRENT +NAME +SERVER +AUTH\n\* +lab +http:\/\/127\.0\.0\.1:1 +token from \$LAB_TOKEN\n- +prod +https:\/\/prod\.example +basic ops\n$/,
    );
    assert.equal((await runVnfm(['context', 'list', '-q'], { env })).stdout, 'lab\nprod\n');
    assert.equal(
      (await runVnfm(['context', 'current'], { env })).stdout,
      'http://127.0.0.1:1 (context lab)\n',
    );
    assert.equal((await runVnfm(['context', 'use', 'prod'], { env })).code, 0);
    assert.equal(
      (await runVnfm(['context', 'current'], { env })).stdout,
      'https://prod.example (context prod)\n',
    );
    // Changing the server keeps the credentials; new credentials replace the old kind whole.
    await runVnfm(['context', 'set', 'prod', '--server', 'https://prod2.example'], { env });
    await runVnfm(['context', 'set', 'lab', '--token-file', 'lab.token', '--ca-file', 'ca.pem'], {
      env,
      cwd: dir,
    });
    const config = readConfig(env.VNFM_CONFIG);
    assert.deepEqual(config.contexts, [
      {
        name: 'lab',
        server: 'http://127.0.0.1:1',
        'token-file': join(dir, 'lab.token'),
        'ca-file': join(dir, 'ca.pem'),
      },
      { name: 'prod', server: 'https://prod2.example', 'basic-user': 'ops', 'basic-password-env': 'PW' },
    ]);
    assert.equal((await runVnfm(['context', 'delete', 'prod'], { env })).code, 0);
    assert.deepEqual(readConfig(env.VNFM_CONFIG), { contexts: config.contexts.slice(0, 1) });

    for (const [args, error] of [
      [['context', 'use', 'nope'], /^vnfm: no context 'nope' in .*config\.yaml\n$/],
      [['context', 'set', 'x'], /^vnfm: --server: a new context needs the VNFM's URL\n$/],
      [
        ['context', 'set', 'x', '--server', 'ftp://x'],
        /^vnfm: 'ftp:\/\/x': only http and https VNFM URLs\n$/,
      ],
      [
        ['context', 'set', 'x', '--server', 'http://x', '--basic-user', 'u'],
        /^vnfm: --basic-user needs --basic-password-env\n$/,
      ],
      [
        [
          'context',
          'set',
          'x',
          '--server',
          'http://x',
          '--token-env',
          'A',
          '--client-id',
          'c',
          '--client-secret-env',
          'S',
        ],
        /^vnfm: give one of --token-env, --token-file, --basic-user, --client-id\n$/,
      ],
    ] as const) {
      const e = await runVnfm([...args], { env });
      assert.equal(e.code, 1, args.join(' '));
      assert.match(e.stderr, error);
      assert.equal(e.stdout, '');
    }
  });
});

describe('output', () => {
  test('tables align on the widest cell; values are flattened to one line', () => {
    const rows = [
      { id: 'a', name: 'first', tags: ['x', 'y'] },
      { id: 'bbbbbb', name: 'evil\nname\u001b[31m', tags: [] },
    ];
    const text = renderTable(rows, [
      { header: 'ID', get: (r) => r.id },
      { header: 'NAME', get: (r) => r.name },
      { header: 'TAGS', get: (r) => r.tags },
    ]);
    assert.equal(
      text,
      'ID      NAME            TAGS\na       first           x,y\nbbbbbb  evil name?[31m  -\n',
    );
    assert.equal(cell({ a: 1 }), '{"a":1}');
    assert.equal(cell(undefined), '-');
    assert.equal(cell(false), 'false');
  });
});

describe('errors', () => {
  test('usage errors: one line, exit 2; --help exit 0', async () => {
    for (const args of [
      ['bogus'],
      ['version', '--bad'],
      ['-o', 'xml', 'version'],
      ['completion', 'fish'],
      ['context', 'use'],
    ]) {
      const r = await runVnfm(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^vnfm: [^\n]+\n$/, args.join(' '));
      assert.equal(r.stdout, '');
    }
    const help = await runVnfm(['context', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: vnfm context/);
  });

  test('a bad connection: one line naming it, exit 1, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-err-'));
    const token = join(dir, 'token');
    writeFileSync(token, '', { mode: 0o600 });
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['--server', 'not a url', 'version'], {}, /^vnfm: 'not a url' is not a URL of a VNFM\n$/],
      [
        ['--token-env', 'UNSET_TOKEN_X', 'version'],
        {},
        /^vnfm: --token-env: environment variable UNSET_TOKEN_X is not set\n$/,
      ],
      [['--token-file', token, 'version'], {}, /^vnfm: --token-file .*: the file is empty\n$/],
      [['--ca-file', join(dir, 'none.pem'), 'version'], {}, /^vnfm: --ca-file .*none\.pem: ENOENT\n$/],
      [['--ca-file', token, 'version'], {}, /^vnfm: --ca-file .*: no PEM certificate in it\n$/],
      [['--context', 'x', 'version'], {}, /^vnfm: no context 'x' in .*\n$/],
    ];
    for (const [args, env, error] of cases) {
      const r = await runVnfm(args, { env });
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, error);
    }
  });
});

describe('vnfm version', () => {
  let vnfm: TestVnfm;
  let tls: TestVnfm;
  let caFile: string;
  before(async () => {
    vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-tls-'));
    const pair = await selfSigned();
    writeFileSync(join(dir, 'tls.crt'), pair.cert);
    writeFileSync(join(dir, 'tls.key'), pair.key, { mode: 0o600 });
    caFile = join(dir, 'tls.crt');
    tls = await startVnfm(await freshStore('sqlite'), {
      worker: false,
      config: { tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key') },
    });
  });
  after(async () => {
    await vnfm?.close();
    await tls?.close();
  });

  test("the CLI's and the server's versions, the API versions", async () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    const v = await vnfmOk(vnfm.url, ['version', '-o', 'json']);
    assert.deepEqual(v, {
      client: { version },
      server: { url: vnfm.url, version, apiVersions: { vnflcm: ['1.3.0'], vnfpkgm: ['2.1.0'] } },
    });
    const text = await vnfmOk(vnfm.url, ['version']);
    assert.equal(
      text,
      `client   ${version}\nserver   ${version} at ${vnfm.url}\nvnflcm   1.3.0\nvnfpkgm  2.1.0\n`,
    );
    const yaml = await vnfmOk(vnfm.url, ['-o', 'yaml', 'version']);
    assert.match(yaml, /^client:\n {2}version: /);
  });

  test('an unreachable server: the client version, the reason on stderr, exit 0', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await runVnfm(['--server', url, 'version', '-o', 'json']);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.stdout).server.error, `cannot reach the VNFM at ${url}: ECONNREFUSED`);
    assert.equal(r.stderr, `vnfm: cannot reach the VNFM at ${url}: ECONNREFUSED\n`);
  });

  test('HTTPS: a private CA is trusted with --ca-file (or a context ca-file), not without', async () => {
    const url = tls.url.replace('http:', 'https:');
    const without = await runVnfm(['--server', url, 'version', '-o', 'json']);
    assert.match(JSON.parse(without.stdout).server.error, /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    const v = await vnfmOk(url, ['--ca-file', caFile, 'version', '-o', 'json']);
    assert.equal(v.server.apiVersions.vnflcm[0], '1.3.0');
    const env = {
      VNFM_CONFIG: configFile(
        `current-context: t\ncontexts:\n  - {name: t, server: "${url}", ca-file: "${caFile}"}\n`,
      ),
    };
    const r = await runVnfm(['version', '-o', 'json'], { env });
    assert.equal(JSON.parse(r.stdout).server.version, v.server.version, r.stderr);
  });
});

/** What bash's completion function of `script` offers for `line` (the cursor at its end), sorted. */
async function bashComplete(script: string, line: string, cwd: string): Promise<string[]> {
  const words = line.split(' ');
  const { stdout } = await execFileP(
    'bash',
    [
      '-c',
      `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _vnfm; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd },
  );
  return stdout.split('\n').filter(Boolean).sort();
}

describe('completion', () => {
  test('the scripts parse (bash -n, zsh -n)', async () => {
    for (const shell of ['bash', 'zsh']) {
      const r = await runVnfm(['completion', shell]);
      assert.equal(r.code, 0);
      const dir = mkdtempSync(join(tmpdir(), 'vnfm-compl-'));
      writeFileSync(join(dir, shell), r.stdout);
      // zsh is installed by the testbed's build (testbed/scripts/build.sh).
      await execFileP(shell, ['-n', join(dir, shell)]);
    }
  });

  test('bash completes subcommands, flags, choices and files from the real command tree', async () => {
    const script = (await runVnfm(['completion', 'bash'])).stdout;
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-compl-'));
    writeFileSync(join(dir, 'vnfm.bash'), script);
    writeFileSync(join(dir, 'ca-one.pem'), '');
    const complete = (line: string) => bashComplete(join(dir, 'vnfm.bash'), line, dir);
    assert.deepEqual(await complete('vnfm con'), ['context']);
    assert.deepEqual(await complete('vnfm context '), ['current', 'delete', 'list', 'set', 'use']);
    assert.deepEqual(await complete('vnfm --server http://x context u'), ['use']);
    assert.deepEqual(await complete('vnfm -o '), ['json', 'table', 'wide', 'yaml']);
    assert.deepEqual(await complete('vnfm context list --output y'), ['yaml']);
    assert.deepEqual(await complete('vnfm --ca-file ca-'), ['ca-one.pem']);
    assert.ok((await complete('vnfm serve --')).includes('--tls-cert'));
    assert.ok((await complete('vnfm serve --')).includes('--server'), 'global flags everywhere');
    assert.ok(!(await complete('vnfm context --')).includes('--tls-cert'));
  });

  test('zsh completes the same from its script', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-compl-'));
    writeFileSync(join(dir, 'vnfm.zsh'), (await runVnfm(['completion', 'zsh'])).stdout);
    // compadd and _files recorded instead of offered: zsh itself narrows them to the prefix typed.
    const complete = async (line: string) => {
      const words = line
        .split(' ')
        .map((w) => `'${w}'`)
        .join(' ');
      const script = `autoload -U compinit && compinit -u -d ${join(dir, 'zcompdump')}
source ${join(dir, 'vnfm.zsh')}
compadd() { shift; print -l -- "$@" }
_files() { print -- '<files>' }
words=(${words}); CURRENT=\${#words}; _vnfm`;
      const { stdout } = await execFileP('zsh', ['-f', '-c', script], { cwd: dir });
      return stdout.split('\n').filter(Boolean).sort();
    };
    assert.deepEqual(await complete('vnfm context '), ['current', 'delete', 'list', 'set', 'use']);
    assert.deepEqual(await complete('vnfm --server http://x -o '), ['json', 'table', 'wide', 'yaml']);
    assert.deepEqual(await complete('vnfm --ca-file '), ['<files>']);
    assert.ok((await complete('vnfm serve --')).includes('--tls-cert'));
  });

  test('the tree walked is the program given; a flag takes a value only where it is declared so', async () => {
    const p = new Command('vnfm');
    p.command('a').option('--x').command('deep');
    p.command('b').option('--x <v>').command('deeper');
    const s = bashCompletion(p);
    assert.match(s, /^ {4}""\) echo "a b" ;;$/m);
    assert.match(s, /^ {4}"a"\) echo "--x --help" ;;$/m);
    const dir = mkdtempSync(join(tmpdir(), 'vnfm-compl-'));
    writeFileSync(join(dir, 'p.bash'), s);
    // a's --x is a switch: 'deep' after it is a subcommand; b's takes a value: 'deeper' after it is that value.
    assert.deepEqual(await bashComplete(join(dir, 'p.bash'), 'vnfm a --x deep --', dir), ['--help']);
    assert.deepEqual(await bashComplete(join(dir, 'p.bash'), 'vnfm a --x d', dir), ['deep']);
    assert.deepEqual(await bashComplete(join(dir, 'p.bash'), 'vnfm b --x deeper --', dir), ['--help', '--x']);
  });
});
