// The helm command builder: the argv each operation gets on Helm 3 and Helm 4, and
// proof with the real binaries (`helm template`, no cluster) that hostile values
// reach the chart as exactly the text the operator wrote — through --set-literal,
// and through the strvals escaping used for helm older than 3.12.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { HelmCommands, parseHelmVersion, setFlags } from '../../src/infra/helm/commands.ts';
import { testbed } from '../helpers/testbed.ts';

const execFileP = promisify(execFile);
const v3 = parseHelmVersion('v3.22.0+gabc\n');
const v4 = parseHelmVersion('v4.3');
const v311 = parseHelmVersion('v3.11.3+g1234');

const HOSTILE = [
  'with space',
  `it's "quoted"`,
  'a;b && c || d',
  '$(touch CANARY)',
  '`touch CANARY`',
  'line1\nline2',
  'a,b,c=d',
  'back\\slash\\,comma',
  '{not,a,list}',
  '--set=x',
  '',
];

describe('helm version', () => {
  test('short forms of helm 3 and 4, with and without patch', () => {
    assert.deepEqual(v3, { major: 3, minor: 22, patch: 0, text: 'v3.22.0+gabc' });
    assert.deepEqual(v4, { major: 4, minor: 3, patch: 0, text: 'v4.3' });
  });
  test('helm 2 and garbage are refused', () => {
    assert.throws(() => parseHelmVersion('v2.17.0'), /not supported/);
    assert.throws(() => parseHelmVersion('Client: &version'), /cannot read the helm version/);
  });
});

describe('helm argv', () => {
  const h3 = new HelmCommands(v3);
  const h4 = new HelmCommands(v4);

  test('install: namespace, create-namespace, --set per parameter, wait per version', () => {
    const o = {
      release: 'vdu1',
      chart: '/home/u/vnfm/i/vdu1/app',
      namespace: 'ns1',
      createNamespace: true,
      values: [
        { key: 'service.port', value: '8081' },
        { key: 'replicaCount', value: '2' },
      ],
      description: 'vnfInstanceId=i',
      wait: { timeoutSeconds: 120.2 },
    };
    const common = [
      'helm',
      'install',
      'vdu1',
      '/home/u/vnfm/i/vdu1/app',
      '--namespace',
      'ns1',
      '--create-namespace',
      '--set',
      'service.port=8081',
      '--set',
      'replicaCount=2',
      '--description',
      'vnfInstanceId=i',
    ];
    assert.deepEqual(h3.install(o), [...common, '--wait', '--timeout', '121s']);
    assert.deepEqual(h4.install(o), [...common, '--wait=watcher', '--timeout', '121s']);
    assert.deepEqual(h3.install({ release: 'r', chart: 'repo/c' }), ['helm', 'install', 'r', 'repo/c']);
  });

  test('renamed flags: --atomic/--rollback-on-failure, --force/--force-replace', () => {
    const o = { release: 'r', chart: 'c', rollbackOnFailure: true, forceReplace: true };
    assert.deepEqual(h3.upgrade(o).slice(4), ['--atomic', '--force']);
    assert.deepEqual(h4.upgrade(o).slice(4), ['--rollback-on-failure', '--force-replace']);
    assert.deepEqual(h4.rollback({ release: 'r', revision: 2, forceReplace: true }), [
      'helm',
      'rollback',
      'r',
      '2',
      '--force-replace',
    ]);
  });

  test('a package change: --reset-values everywhere, --force-conflicts only for helm 4 (server-side apply)', () => {
    const o = { release: 'r', chart: 'c', resetValues: true, forceConflicts: true };
    assert.deepEqual(h3.upgrade(o).slice(4), ['--reset-values']);
    assert.deepEqual(h4.upgrade(o).slice(4), ['--reset-values', '--force-conflicts']);
    assert.deepEqual(h3.rollback({ release: 'r', revision: 2, forceConflicts: true }).slice(4), []);
    assert.deepEqual(h4.rollback({ release: 'r', revision: 2, forceConflicts: true }).slice(4), [
      '--force-conflicts',
    ]);
  });

  test('release labels only where helm has them (3.13+)', () => {
    const o = { release: 'r', chart: 'c', labels: { vnfInstanceId: 'abc' } };
    assert.deepEqual(h3.install(o).slice(4), ['--labels', 'vnfInstanceId=abc']);
    assert.deepEqual(h4.upgrade(o).slice(4), ['--labels', 'vnfInstanceId=abc']);
    assert.deepEqual(new HelmCommands(parseHelmVersion('v3.12.3')).install(o).slice(4), []);
  });

  test('upgrade for scale: reuse values, one path, pinned version', () => {
    assert.deepEqual(
      h3.upgrade({
        release: 'vdu2',
        chart: 'myrepo/apache',
        version: '0.1.0',
        namespace: 'ns',
        reuseValues: true,
        values: [{ key: 'replicaCount', value: '3' }],
      }),
      [
        'helm',
        'upgrade',
        'vdu2',
        'myrepo/apache',
        '--namespace',
        'ns',
        '--reuse-values',
        '--version',
        '0.1.0',
        '--set',
        'replicaCount=3',
      ],
    );
  });

  test('the other commands', () => {
    const r = { release: 'r', namespace: 'n' };
    assert.deepEqual(h3.uninstall(r), ['helm', 'uninstall', 'r', '--namespace', 'n']);
    assert.deepEqual(h4.uninstall({ ...r, wait: { timeoutSeconds: 5 } }), [
      'helm',
      'uninstall',
      'r',
      '--namespace',
      'n',
      '--wait=watcher',
      '--timeout',
      '5s',
    ]);
    assert.deepEqual(h3.rollback({ ...r, revision: 3 }), ['helm', 'rollback', 'r', '3', '--namespace', 'n']);
    assert.throws(() => h3.rollback({ ...r, revision: 0 }), RangeError);
    assert.deepEqual(h3.getManifest(r), ['helm', 'get', 'manifest', 'r', '--namespace', 'n']);
    assert.deepEqual(h3.status(r), ['helm', 'status', 'r', '--namespace', 'n', '-o', 'json']);
    assert.deepEqual(h3.history({ release: 'r' }), ['helm', 'history', 'r', '-o', 'json']);
    assert.deepEqual(h3.list({ namespace: 'n', filter: '^r$' }), [
      'helm',
      'list',
      '--namespace',
      'n',
      '--all',
      '--filter',
      '^r$',
      '-o',
      'json',
    ]);
    assert.deepEqual(h3.repoAdd('myrepo', 'http://x/y'), ['helm', 'repo', 'add', 'myrepo', 'http://x/y']);
    assert.deepEqual(h3.repoRemove('myrepo'), ['helm', 'repo', 'remove', 'myrepo']);
    assert.deepEqual(h3.versionShort(), ['helm', 'version', '--short']);
  });

  test('values helm would split or reinterpret go through --set-literal (>= 3.12) or escaped --set-string', () => {
    assert.deepEqual(setFlags({ key: 'a', value: 'x y' }, v3), ['--set', 'a=x y']);
    assert.deepEqual(setFlags({ key: 'a', value: 'x,y' }, v3), ['--set-literal', 'a=x,y']);
    assert.deepEqual(setFlags({ key: 'a', value: 'x,y' }, v4), ['--set-literal', 'a=x,y']);
    assert.deepEqual(setFlags({ key: 'a', value: '{x}' }, v3), ['--set-literal', 'a={x}']);
    assert.deepEqual(setFlags({ key: 'a', value: '{x,\\y}' }, v311), ['--set-string', 'a=\\{x\\,\\\\y}']);
  });
});

describe('hostile values rendered by real helm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'helm-cmd-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const chart = join(dir, 'echo');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: echo\nversion: 0.1.0\n');
  writeFileSync(
    join(chart, 'templates', 'cm.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: echo}\ndata:\n  values: {{ .Values | toJson | quote }}\n',
  );

  for (const [label, major, version] of [
    ['helm 3 with --set-literal', 'helm3', v3],
    ['helm 4 with --set-literal', 'helm4', v4],
    ['helm 3 with the pre-3.12 escaping', 'helm3', v311],
  ] as const) {
    test(label, async () => {
      const env = await testbed();
      const values = HOSTILE.map((value, i) => ({ key: `k${i}`, value }));
      const argv = ['template', 'r', chart, ...values.flatMap((p) => setFlags(p, version))];
      const { stdout } = await execFileP(env[major], argv, {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, HELM_CONFIG_HOME: dir, HELM_CACHE_HOME: dir },
      });
      const cm = parseYaml(stdout.split('---').find((d) => d.includes('ConfigMap')) ?? '');
      const got = JSON.parse(cm.data.values);
      for (const [i, value] of HOSTILE.entries()) assert.equal(got[`k${i}`], value, `k${i}`);
    });
  }
});
