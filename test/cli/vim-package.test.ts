// `vnfm vim`, `vnfm package` and `vnfm subscription` as an operator runs them: the real
// bin/vnfm against a real VNFM, registering the testbed cluster (from its kubeconfig, a
// kubeconfig with a token, a Tacker VIM config file, flags), onboarding packages (a zip,
// a directory), reading them back (download = upload, vnfd, artifact), subscriptions with
// a real receiver; output parsed with -o json, ids with -q, errors one line with exit 1.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { hashSecret } from '../../src/auth/clients.ts';
import { CHART_PATH, cnfPackage } from '../helpers/cnf-package.ts';
import { runVnfm, VNFM_BIN, vnfmOk } from '../helpers/cli.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const execFileP = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const dir = mkdtempSync(join(tmpdir(), 'vnfm-cli-vp-'));

let vnfm: TestVnfm;
before(async () => {
  vnfm = await startVnfm(await freshStore('sqlite'), { worker: false });
});
after(async () => {
  await vnfm?.close();
});

/** Runs the command and expects exit 1 with exactly one `vnfm: …` line matching `error`, stdout empty. */
async function fails(args: string[], error: RegExp, env: Record<string, string> = {}): Promise<void> {
  const r = await runVnfm(['--server', vnfm.url, ...args], { env });
  assert.equal(r.code, 1, `${args.join(' ')}: exit ${r.code}; ${r.stderr}`);
  assert.match(r.stderr, /^vnfm: [^\n]+\n$/, args.join(' '));
  assert.match(r.stderr, error);
  assert.equal(r.stdout, '');
}

describe('vnfm vim', () => {
  test('register from the testbed kubeconfig (client certificate), list, show, update, delete', async () => {
    const tb = await testbed();
    const v = await vnfmOk(vnfm.url, [
      'vim',
      'register',
      'tb-kc',
      '--from-kubeconfig',
      tb.kubeconfig,
      '-o',
      'json',
    ]);
    assert.equal(v.name, 'tb-kc');
    assert.equal(v.auth_url, tb.apiServer);
    assert.equal(v.status, 'REACHABLE');
    assert.equal(v.vim_project.name, 'default');
    assert.equal(v.auth_cred.client_key, '***');
    assert.equal(v.auth_cred.ssl_ca_cert, readFileSync(tb.caFile, 'utf8'));

    const list = await vnfmOk(vnfm.url, ['vim', 'list', '-o', 'json']);
    assert.ok(Array.isArray(list));
    assert.ok(list.some((x: { id: string }) => x.id === v.id));
    const ids = (await runVnfm(['--server', vnfm.url, 'vim', 'list', '-q'])).stdout.trim().split('\n');
    assert.ok(ids.includes(v.id));
    const table = await vnfmOk(vnfm.url, ['vim', 'list']);
    assert.match(table, /^ID +NAME +TYPE +STATUS +DEFAULT +AUTH_URL\n/);
    assert.match(table, new RegExp(`^${v.id} +tb-kc +kubernetes +REACHABLE +no +${tb.apiServer}$`, 'm'));
    const wide = await vnfmOk(vnfm.url, ['vim', 'list', '-o', 'wide']);
    assert.match(wide, /NAMESPACE +HELM +HOSTS +DESCRIPTION +CREATED/);

    // By name as well as by id; yaml too.
    const shown = await vnfmOk(vnfm.url, ['vim', 'show', 'tb-kc', '-o', 'json']);
    assert.deepEqual(shown, v);
    assert.match(
      await vnfmOk(vnfm.url, ['vim', 'show', v.id, '-o', 'yaml']),
      new RegExp(`^id: ${v.id}$`, 'm'),
    );
    assert.match(await vnfmOk(vnfm.url, ['vim', 'show', v.id]), /^ID +[0-9a-f-]{36}\nNAME +tb-kc\n/);

    const updated = await vnfmOk(vnfm.url, [
      'vim',
      'update',
      'tb-kc',
      '--description',
      'lab cluster',
      '--default',
      '-o',
      'json',
    ]);
    assert.equal(updated.description, 'lab cluster');
    assert.equal(updated.is_default, true);
    const undefaulted = await vnfmOk(vnfm.url, ['vim', 'update', v.id, '--no-default', '-o', 'json']);
    assert.equal(undefaulted.is_default, false);
    assert.equal(undefaulted.description, 'lab cluster');

    const del = await runVnfm(['--server', vnfm.url, 'vim', 'delete', 'tb-kc']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, `VIM ${v.id} deleted\n`);
    await fails(['vim', 'show', v.id], new RegExp(`^vnfm: 404 Not Found: VIM ${v.id} does not exist\\n$`));
    await fails(['vim', 'delete', 'tb-kc'], /^vnfm: no VIM has the id or name 'tb-kc'\n$/);
  });

  test('register from a kubeconfig with a token (CA and token files relative to it), a context named', async () => {
    const tb = await testbed();
    const kdir = mkdtempSync(join(dir, 'kube-'));
    writeFileSync(join(kdir, 'ca.crt'), readFileSync(tb.caFile));
    writeFileSync(join(kdir, 'token'), `${tb.bearerToken}\n`, { mode: 0o600 });
    writeFileSync(
      join(kdir, 'config'),
      `apiVersion: v1
kind: Config
current-context: other
clusters:
  - name: tb
    cluster: {server: "${tb.apiServer}", certificate-authority: ca.crt}
users:
  - name: sa
    user: {tokenFile: token}
  - name: plugin
    user: {exec: {command: get-token}}
contexts:
  - name: lab
    context: {cluster: tb, user: sa, namespace: cnf}
  - name: other
    context: {cluster: tb, user: plugin}
`,
      { mode: 0o600 },
    );
    const kubeconfig = join(kdir, 'config');
    const v = await vnfmOk(vnfm.url, [
      'vim',
      'register',
      'tb-token',
      '--from-kubeconfig',
      kubeconfig,
      '--kube-context',
      'lab',
      '-o',
      'json',
    ]);
    assert.equal(v.status, 'REACHABLE');
    assert.equal(v.auth_cred.bearer_token, '***');
    assert.equal(v.vim_project.name, 'cnf');
    await fails(
      ['vim', 'register', 'x', '--from-kubeconfig', kubeconfig],
      /gets its token from a plugin \(exec\/auth-provider\)/,
    );
    await fails(
      ['vim', 'register', 'x', '--from-kubeconfig', kubeconfig, '--kube-context', 'nope'],
      /no context 'nope'$/m,
    );
    await fails(
      ['vim', 'register', 'x', '--kube-context', 'lab'],
      /^vnfm: --kube-context is for --from-kubeconfig\n$/,
    );
    assert.equal((await runVnfm(['--server', vnfm.url, 'vim', 'delete', v.id])).code, 0);
  });

  test("register from Tacker's VIM config file, and from flags; flags override the file", async () => {
    const tb = await testbed();
    const ca = readFileSync(tb.caFile, 'utf8');
    const file = join(dir, 'vim.yaml');
    const tacker =
      `auth_url: "${tb.apiServer}"\nproject_name: default\ntype: kubernetes\n` +
      `bearer_token: "${tb.bearerToken}"\nssl_ca_cert: |\n  ${ca.trim().split('\n').join('\n  ')}\n` +
      `extra:\n  area: lab-1\n`;
    writeFileSync(file, tacker, { mode: 0o600 });
    const r = await runVnfm([
      '--server',
      vnfm.url,
      'vim',
      'register',
      'tb-tacker',
      '--config-file',
      file,
      '--namespace',
      'ns1',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const v = JSON.parse(r.stdout);
    assert.equal(v.status, 'REACHABLE');
    assert.equal(v.vim_project.name, 'ns1');
    assert.deepEqual(v.extra, { area: 'lab-1' });
    assert.equal(v.auth_cred.bearer_token, '***');

    // A file holding the token that others can read: registered, with a warning.
    const open = join(dir, 'vim-open.yaml');
    writeFileSync(open, tacker, { mode: 0o644 });
    const w = await runVnfm([
      '--server',
      vnfm.url,
      'vim',
      'register',
      'tb-open',
      '--config-file',
      open,
      '-q',
    ]);
    assert.equal(w.code, 0, w.stderr);
    assert.match(
      w.stderr,
      /^vnfm: warning: .*vim-open\.yaml holds credentials and is readable by group or others \(chmod 600 it\)\n$/,
    );
    assert.match(w.stdout, /^[0-9a-f-]{36}\n$/);
    assert.equal((await runVnfm(['--server', vnfm.url, 'vim', 'delete', w.stdout.trim(), '-q'])).code, 0);

    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, ca);
    const flags = await vnfmOk(
      vnfm.url,
      [
        'vim',
        'register',
        'tb-flags',
        '--auth-url',
        tb.apiServer,
        '--bearer-token-env',
        'TB_TOKEN',
        '--ssl-ca-cert',
        caFile,
        '--masternode-ip',
        '127.0.0.2:22',
        '--masternode-username',
        'u',
        '--masternode-password-env',
        'TB_PW',
        '--default',
        '-o',
        'json',
      ],
      { env: { TB_TOKEN: tb.bearerToken, TB_PW: 'pw' } },
    );
    assert.equal(flags.is_default, true);
    assert.deepEqual(flags.extra.helm_info, {
      masternode_ip: ['127.0.0.2:22'],
      masternode_username: 'u',
      masternode_password: '***',
    });
    assert.match(
      await vnfmOk(vnfm.url, ['vim', 'show', 'tb-flags', '-o', 'wide']),
      /^HELM +127\.0\.0\.2:22$/m,
    );

    // The server's refusals, and the CLI's own, each one line.
    await fails(
      [
        'vim',
        'register',
        'bad',
        '--auth-url',
        tb.apiServer,
        '--bearer-token-env',
        'TB_TOKEN',
        '--ssl-ca-cert',
        caFile,
      ],
      /^vnfm: 400 Bad Request: .*401/,
      { TB_TOKEN: 'not-the-token' },
    );
    await fails(
      ['vim', 'register', 'bad', '--bearer-token-env', 'UNSET_TB_X'],
      /^vnfm: --bearer-token-env: environment variable UNSET_TB_X is not set\n$/,
    );
    writeFileSync(join(dir, 'oidc.yaml'), 'auth_url: https://x\noidc_token_url: https://idp\n');
    await fails(
      ['vim', 'register', 'bad', '--config-file', join(dir, 'oidc.yaml')],
      /oidc_token_url: OpenID Connect credentials are not supported/,
    );
    writeFileSync(join(dir, 'typo.yaml'), 'auth_url: https://x\nbearer_tokn: abc\n');
    await fails(
      ['vim', 'register', 'bad', '--config-file', join(dir, 'typo.yaml')],
      /unknown key 'bearer_tokn'/,
    );
    await fails(['vim', 'update', 'tb-flags'], /^vnfm: nothing to change: give the fields to update\n$/);
    await fails(
      ['vim', 'update', 'tb-flags', '--masternode-host-key', 'no-key'],
      /^vnfm: --masternode-host-key: 'no-key' is not key=value\n$/,
    );
    await fails(
      ['vim', 'update', 'tb-flags', '--masternode-port', '22x'],
      /^vnfm: --masternode-port: '22x' is not a port\n$/,
    );
    await fails(
      ['vim', 'delete', 'tb-flags', 'tb-tacker', 'nope'],
      /^vnfm: no VIM has the id or name 'nope'\n$/,
    );
    // Every name is resolved before anything is deleted: nothing was.
    const del = await runVnfm(['--server', vnfm.url, 'vim', 'delete', 'tb-flags', 'tb-tacker']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.split('\n').filter(Boolean).length, 2);
    assert.deepEqual(await vnfmOk(vnfm.url, ['vim', 'list', '-o', 'json']), []);
  });
});

describe('vnfm package', () => {
  test('onboard a zip; list, show, download = upload, vnfd, artifact; disable, enable, delete', async () => {
    const { zip, vnfdId } = await cnfPackage();
    const file = join(dir, 'cnf.zip');
    writeFileSync(file, zip);
    const p = await vnfmOk(vnfm.url, ['package', 'onboard', file, '--user-data', 'team=core', '-o', 'json']);
    assert.equal(p.onboardingState, 'ONBOARDED');
    assert.equal(p.operationalState, 'ENABLED');
    assert.equal(p.vnfdId, vnfdId);
    assert.deepEqual(p.userDefinedData, { team: 'core' });

    const list = await vnfmOk(vnfm.url, ['package', 'list', '-o', 'json']);
    assert.ok(list.some((x: { id: string }) => x.id === p.id));
    assert.equal(
      (await runVnfm(['--server', vnfm.url, 'package', 'list', '-q', '--vnfd-id', vnfdId])).stdout,
      `${p.id}\n`,
    );
    assert.match(
      await vnfmOk(vnfm.url, ['package', 'list']),
      new RegExp(`^${p.id} +${vnfdId} .* ONBOARDED +ENABLED +NOT_IN_USE$`, 'm'),
    );
    assert.match(
      await vnfmOk(vnfm.url, ['package', 'list', '-o', 'wide']),
      /USER_DATA\n.*\{"team":"core"\}$/m,
    );
    assert.deepEqual(await vnfmOk(vnfm.url, ['package', 'show', p.id, '-o', 'json']), p);

    const down = join(dir, 'down.zip');
    assert.equal((await runVnfm(['--server', vnfm.url, 'package', 'download', p.id, down])).code, 0);
    assert.ok(readFileSync(down).equals(zip), 'download equals upload');
    // To stdout, bytes exact (read as bytes, not text).
    const { stdout } = await execFileP(VNFM_BIN, ['--server', vnfm.url, 'package', 'download', p.id, '-'], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.ok(stdout.equals(zip), 'download to stdout equals upload');

    // The test package's VNFD has several files: text is refused with the way out; --zip writes them.
    await fails(
      ['package', 'vnfd', p.id],
      /^vnfm: 406 Not Acceptable: the VNFD has several files; ask for application\/zip \(use --zip FILE\)\n$/,
    );
    const vnfdZip = join(dir, 'vnfd.zip');
    assert.equal((await runVnfm(['--server', vnfm.url, 'package', 'vnfd', p.id, vnfdZip, '--zip'])).code, 0);
    assert.equal(readFileSync(vnfdZip).subarray(0, 2).toString(), 'PK');

    const chart = join(dir, 'chart.tgz');
    assert.equal(
      (await runVnfm(['--server', vnfm.url, 'package', 'artifact', p.id, CHART_PATH, chart])).code,
      0,
    );
    const declared = p.additionalArtifacts.find(
      (a: { artifactPath: string }) => a.artifactPath === CHART_PATH,
    );
    assert.equal(sha256(readFileSync(chart)), declared.checksum.hash);
    await fails(
      ['package', 'artifact', p.id, 'Files/none.yaml'],
      /^vnfm: 404 Not Found: VNF package .* has no artifact 'Files\/none\.yaml'\n$/,
    );

    await fails(['package', 'delete', p.id], /^vnfm: 409 Conflict: /);
    const dis = await runVnfm(['--server', vnfm.url, 'package', 'disable', p.id]);
    assert.equal(dis.stdout, `VNF package ${p.id} DISABLED\n`);
    assert.equal(
      (await vnfmOk(vnfm.url, ['package', 'show', p.id, '-o', 'json'])).operationalState,
      'DISABLED',
    );
    await runVnfm(['--server', vnfm.url, 'package', 'enable', p.id]);
    assert.equal(
      (await vnfmOk(vnfm.url, ['package', 'show', p.id, '-o', 'json'])).operationalState,
      'ENABLED',
    );
    await runVnfm(['--server', vnfm.url, 'package', 'disable', p.id, '-q']);
    const del = await runVnfm(['--server', vnfm.url, 'package', 'delete', p.id, '-o', 'json']);
    assert.equal(del.code, 0);
    assert.equal(del.stdout, '', 'nothing but what was asked for on stdout');
    await fails(
      ['package', 'show', p.id],
      new RegExp(`^vnfm: 404 Not Found: VNF package ${p.id} does not exist\\n$`),
    );
  });

  test('create + upload --wait; onboard a directory; a bad package fails onboarding in one line', async () => {
    const { zip } = await cnfPackage();
    const file = join(dir, 'cnf2.zip');
    writeFileSync(file, zip);
    const created = await vnfmOk(vnfm.url, ['package', 'create', '-o', 'json']);
    assert.equal(created.onboardingState, 'CREATED');
    const up = await vnfmOk(vnfm.url, ['package', 'upload', created.id, file, '--wait', '-o', 'json']);
    assert.equal(up.onboardingState, 'ONBOARDED');
    await fails(
      ['package', 'upload', created.id, file],
      /^vnfm: 409 Conflict: .*content can be uploaded only when it is CREATED\n$/,
    );
    await fails(['package', 'upload', created.id], /^vnfm: give the package zip or --uri, one of them\n$/);
    await fails(
      ['package', 'create', '--user-data', 'team'],
      /^vnfm: --user-data: 'team' is not key=value\n$/,
    );

    // --uri: the VNFM fetches the zip, here with HTTP Basic from the environment.
    const seen: (string | undefined)[] = [];
    const served = (await cnfPackage()).zip;
    const site = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/zip' }).end(served);
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    try {
      const uri = `http://127.0.0.1:${(site.address() as AddressInfo).port}/cnf.zip`;
      const id = (await runVnfm(['--server', vnfm.url, 'package', 'create', '-q'])).stdout.trim();
      const fetched = await vnfmOk(
        vnfm.url,
        [
          'package',
          'upload',
          id,
          '--uri',
          uri,
          '--uri-user',
          'web',
          '--uri-password-env',
          'WEB_PW',
          '--wait',
          '-o',
          'json',
        ],
        { env: { WEB_PW: 'web-secret' } },
      );
      assert.equal(fetched.onboardingState, 'ONBOARDED');
      assert.deepEqual(seen, [`Basic ${Buffer.from('web:web-secret').toString('base64')}`]);
      await fails(
        ['package', 'upload', id, file, '--uri', uri],
        /^vnfm: give the package zip or --uri, one of them\n$/,
      );
    } finally {
      site.close();
    }

    const sample = new URL('../../samples/manifest-cnf', import.meta.url).pathname;
    const fromDir = await vnfmOk(vnfm.url, ['package', 'onboard', sample, '-o', 'json']);
    assert.equal(fromDir.onboardingState, 'ONBOARDED');

    const bad = join(dir, 'bad.zip');
    writeFileSync(bad, (await cnfPackage({ wrongHashFor: CHART_PATH })).zip);
    await fails(
      ['package', 'onboard', bad],
      /^vnfm: VNF package [0-9a-f-]{36} onboarding failed: 422 Onboarding failed: .*Files\/kubernetes\/app-0\.1\.0\.tgz/,
    );
    await fails(['package', 'onboard', join(dir, 'none.zip')], /^vnfm: .*none\.zip: ENOENT\n$/);
    await fails(['package', 'onboard', dir], /^vnfm: /);
  });
});

describe('vnfm subscription', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver?.close();
  });

  test('create (filter, receiver Basic from the environment), identical again, list, show, delete', async () => {
    const filterFile = join(dir, 'filter.yaml');
    writeFileSync(filterFile, 'notificationTypes: [VnfPackageOnboardingNotification]\n');
    const cb = `${receiver.url}/pkg`;
    const create = [
      'subscription',
      'create',
      '--api',
      'vnfpkgm',
      '--callback-uri',
      cb,
      '--filter-file',
      filterFile,
    ];
    const receiverBasic = ['--receiver-basic-user', 'nfvo', '--receiver-basic-password-env', 'RCV_PW'];
    const s = await vnfmOk(vnfm.url, [...create, ...receiverBasic, '-o', 'json'], {
      env: { RCV_PW: 'receiver-secret' },
    });
    assert.equal(s.callbackUri, cb);
    assert.deepEqual(s.filter, { notificationTypes: ['VnfPackageOnboardingNotification'] });
    const check = receiver.requests.find((r) => r.method === 'GET' && r.path === '/pkg');
    assert.equal(
      check?.headers.authorization,
      `Basic ${Buffer.from('nfvo:receiver-secret').toString('base64')}`,
    );

    const again = await runVnfm(['--server', vnfm.url, ...create, '-q']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, `${s.id}\n`);
    assert.equal(again.stderr, `vnfm: an identical subscription exists already: ${s.id}\n`);

    const lcm = await vnfmOk(vnfm.url, [
      'subscription',
      'create',
      '--callback-uri',
      `${receiver.url}/lcm`,
      '-o',
      'json',
    ]);
    const table = await vnfmOk(vnfm.url, ['subscription', 'list']);
    assert.match(table, new RegExp(`^${s.id} +vnfpkgm +${cb}$`, 'm'));
    assert.match(table, new RegExp(`^${lcm.id} +vnflcm +${receiver.url}/lcm$`, 'm'));
    assert.deepEqual(
      (await vnfmOk(vnfm.url, ['subscription', 'list', '--api', 'vnflcm', '-o', 'json'])).map(
        (x: { id: string }) => x.id,
      ),
      [lcm.id],
    );
    assert.deepEqual(await vnfmOk(vnfm.url, ['subscription', 'show', s.id, '-o', 'json']), s);
    const delivery = await vnfmOk(vnfm.url, ['subscription', 'delivery', s.id, '-o', 'json']);
    assert.deepEqual(delivery, {
      subscriptionId: s.id,
      api: 'vnfpkgm',
      callbackUri: cb,
      pending: 0,
      delivered: 0,
      expired: 0,
    });
    assert.match(await vnfmOk(vnfm.url, ['subscription', 'delivery', s.id]), /^PENDING +0$/m);
    const del = await runVnfm(['--server', vnfm.url, 'subscription', 'delete', s.id, lcm.id]);
    assert.equal(
      del.stdout,
      `subscription ${s.id} (vnfpkgm) deleted\nsubscription ${lcm.id} (vnflcm) deleted\n`,
    );
    await fails(['subscription', 'show', s.id], new RegExp(`^vnfm: no subscription ${s.id}\\n$`));
    await fails(
      ['subscription', 'create', '--callback-uri', cb, '--receiver-basic-user', 'u'],
      /^vnfm: --receiver-basic-user needs --receiver-basic-password-env\n$/,
    );
    receiver.getStatus = 500;
    await fails(
      ['subscription', 'create', '--callback-uri', `${receiver.url}/down`],
      /^vnfm: 4\d\d [^:]+: .*500/,
    );
    receiver.getStatus = 204;
  });
});

describe('credentials', () => {
  let secured: TestVnfm;
  const secret = 'cli-client-secret-0123456789';
  before(async () => {
    const clients = join(dir, 'clients.yaml');
    writeFileSync(
      clients,
      `clients:\n  - client_id: ops\n    secret_hash: "${await hashSecret(secret)}"\n    scopes: [vims:read, vnfpkgm:read]\n`,
    );
    secured = await startVnfm(await freshStore('sqlite'), {
      worker: false,
      config: { authClientsFile: clients, authBasic: true },
    });
  });
  after(async () => {
    await secured?.close();
  });

  test('refused without credentials; accepted with each kind, from flags, environment or a context', async () => {
    const r = await runVnfm(['--server', secured.url, 'vim', 'list']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^vnfm: 401 Unauthorized: [^\n]+\n$/);
    const env = { OPS_SECRET: secret };
    assert.deepEqual(
      await vnfmOk(
        secured.url,
        ['vim', 'list', '-o', 'json', '--client-id', 'ops', '--client-secret-env', 'OPS_SECRET'],
        { env },
      ),
      [],
    );
    assert.deepEqual(
      await vnfmOk(
        secured.url,
        ['vim', 'list', '-o', 'json', '--basic-user', 'ops', '--basic-password-env', 'OPS_SECRET'],
        { env },
      ),
      [],
    );
    assert.deepEqual(
      await vnfmOk(secured.url, ['package', 'list', '-o', 'json'], {
        env: { VNFM_CLIENT_ID: 'ops', VNFM_CLIENT_SECRET: secret },
      }),
      [],
    );
    const config = join(mkdtempSync(join(dir, 'ctx-')), 'config.yaml');
    const ctxEnv = { VNFM_CONFIG: config, OPS_SECRET: secret };
    assert.equal(
      (
        await runVnfm(
          [
            'context',
            'set',
            'sec',
            '--server',
            secured.url,
            '--client-id',
            'ops',
            '--client-secret-env',
            'OPS_SECRET',
          ],
          { env: ctxEnv },
        )
      ).code,
      0,
    );
    const viaContext = await runVnfm(['vim', 'list', '-o', 'json'], { env: ctxEnv });
    assert.equal(viaContext.code, 0, viaContext.stderr);
    assert.deepEqual(JSON.parse(viaContext.stdout), []);
    // A scope the client lacks: the VNFM's 403, one line.
    const w = await runVnfm(['package', 'create'], { env: ctxEnv });
    assert.equal(w.code, 1);
    assert.match(w.stderr, /^vnfm: 403 Forbidden: [^\n]+\n$/);
  });
});
