// The v2 Helm parameters (SOL003 v3 clients: helm_chart_path, helm_parameters,
// helm_value_names, namespace) parsed into the driver's data, refused when mixed with
// v1's, passed to helm with --set-json so that a value arrives exactly, and run by the
// real driver on the testbed with helm 3 and helm 4: the release named after the
// instance, VDUs found by their name as the workloads' prefix, scale through
// helm_value_names, terminate.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ProblemError } from '../../src/errors.ts';
import type { InfraState } from '../../src/infra/driver.ts';
import { parseHelmVersion, setFlags } from '../../src/infra/helm/commands.ts';
import { createHelmDriver, type HelmState } from '../../src/infra/helm/index.ts';
import {
  parseHelmParams,
  releaseNameFor,
  replicaValueOf,
  vduByNamePrefix,
} from '../../src/infra/helm/params.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { CHART_PATH } from '../helpers/cnf-package.ts';
import { helm, infraContext, logged, removeHelperFiles, testVim } from '../helpers/helm-driver.ts';
import type { HelmPackage } from '../helpers/helm-package.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { V2_CHART_PATH, v2HelmPackage } from '../helpers/v2-helm-chart.ts';
import { eventually } from '../helpers/wait.ts';

/** Values helm's --set would split, re-type or unescape; each must arrive as itself. */
const EXACT = {
  'service.port': 8081,
  'service.type': 'NodePort',
  'config.list': 'a=b,c=d',
  'config.dotted': 'x.y.z',
  'config.quoted': `it's "quoted" \\ and {braced}`,
  'config.flag': true,
  'config.number_as_text': '007',
};

let pkg: HelmPackage;
before(async () => {
  pkg = await v2HelmPackage();
});
after(() => {
  rmSync(pkg.root, { recursive: true, force: true });
  removeHelperFiles();
});

const v2 = (extra: Record<string, unknown> = {}) => ({
  namespace: 'default',
  helm_chart_path: V2_CHART_PATH,
  helm_parameters: EXACT,
  helm_value_names: { VDU1: { replica: 'replicaCountVdu1' }, VDU2: { replica: 'replicaCountVdu2' } },
  ...extra,
});

function refused(params: Record<string, unknown>, detail: RegExp) {
  assert.throws(
    () =>
      parseHelmParams(params, { packageRoot: pkg.root, flavour: pkg.flavour, vnfInstanceId: randomUUID() }),
    (e) => e instanceof ProblemError && e.status === 400 && detail.test(e.message),
  );
}

describe('v2 Helm parameters: parsing', () => {
  test('one package release named after the instance, replica paths by VDU', () => {
    const id = '0a1b2c3d-4e5f-6789-abcd-ef0123456789';
    const p = parseHelmParams(v2(), { packageRoot: pkg.root, flavour: pkg.flavour, vnfInstanceId: id });
    assert.equal(p.style, 'v2');
    assert.equal(releaseNameFor(id), 'vnf0a1b2c3d4e5f6789abcdef0123456789');
    const [r] = p.using_helm_install_param;
    assert.ok(r && !r.exthelmchart);
    assert.equal(r.helmreleasename, releaseNameFor(id));
    assert.equal(r.helmchartfile_path, V2_CHART_PATH);
    assert.deepEqual(
      r.helmparameter,
      Object.entries(EXACT).map(([key, v]) => ({ key, value: JSON.stringify(v), json: true })),
    );
    assert.deepEqual(replicaValueOf(p, pkg.flavour, 'VDU1'), {
      path: 'replicaCountVdu1',
      release: r.helmreleasename,
    });
    assert.equal(p.namespace, 'default');
  });

  test('v1 and v2 keys in one request are refused, naming both', () => {
    refused(
      v2({ using_helm_install_param: [{ helmchartfile_path: CHART_PATH, helmreleasename: 'a' }] }),
      /cannot be mixed.*using_helm_install_param.*helm_chart_path|cannot be mixed.*helm_chart_path.*using_helm_install_param/,
    );
    refused(v2({ vdu_mapping: {} }), /cannot be mixed.*vdu_mapping/);
    refused({ helm_value_names: {}, helm_replica_values: {} }, /cannot be mixed/);
  });

  test('each bad field is a 400 naming it', () => {
    refused(v2({ helm_chart_path: undefined }), /^helm_chart_path: is required/);
    refused(v2({ helm_chart_path: '../../etc/passwd' }), /^helm_chart_path/);
    refused(v2({ helm_chart_path: 'Files/kubernetes/none.tgz' }), /^helm_chart_path: .*does not exist/);
    refused(v2({ helm_parameters: { 'a,b': 1 } }), /^helm_parameters\.a,b: the key/);
    refused(v2({ helm_parameters: { 'x y': 1 } }), /^helm_parameters\.x y: the key/);
    refused(v2({ helm_parameters: ['a=b'] }), /^helm_parameters: must be an object/);
    refused(v2({ helm_value_names: { VDU9: { replica: 'r' } } }), /^helm_value_names\.VDU9: flavour/);
    refused(v2({ helm_value_names: { VDU1: { replica: 'bad path!' } } }), /^helm_value_names\.VDU1\.replica/);
    refused(v2({ helm_value_names: { VDU1: { replicas: 'r' } } }), /^helm_value_names\.VDU1\.replicas/);
    refused(v2({ use_helm: 'false' }), /^use_helm: must be true/);
    refused(v2({ namespace: 'Bad_NS' }), /^namespace/);
  });

  test('--set-json carries the JSON text whole; older helm is told why', () => {
    const v = parseHelmVersion('v3.22.0');
    assert.deepEqual(setFlags({ key: 'config.list', value: '"a=b,c=d"', json: true }, v), [
      '--set-json',
      'config.list="a=b,c=d"',
    ]);
    assert.throws(
      () => setFlags({ key: 'k', value: '1', json: true }, parseHelmVersion('v3.9.4')),
      /helm 3\.10 or later/,
    );
  });

  test('a workload is the VDU whose name is its longest prefix before a dash', () => {
    const f = {
      ...pkg.flavour,
      vdus: [
        { ...pkg.flavour.vdus[0]!, id: 'VDU1', name: 'vdu1' },
        { ...pkg.flavour.vdus[0]!, id: 'VDU10', name: 'vdu10' },
        { ...pkg.flavour.vdus[0]!, id: 'DB', name: 'vdu1-db' },
      ],
    };
    assert.equal(vduByNamePrefix(f, 'vdu1-vnfabc'), 'VDU1');
    assert.equal(vduByNamePrefix(f, 'vdu1'), 'VDU1');
    assert.equal(vduByNamePrefix(f, 'vdu10-vnfabc'), 'VDU10');
    assert.equal(vduByNamePrefix(f, 'vdu1-db-vnfabc'), 'DB');
    assert.equal(vduByNamePrefix(f, 'vdu1x-vnfabc'), undefined);
    assert.equal(vduByNamePrefix(f, 'svc-vnfabc'), undefined);
  });
});

let env: TestbedEnv;
const scratch = mkdtempSync(join(tmpdir(), 'helm-v2-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

for (const major of ['helm3', 'helm4'] as const) {
  describe(`v2 Helm parameters on the testbed, local ${major}`, () => {
    const ns = `hv2-${major}-${randomUUID().slice(0, 6)}`;
    const id = randomUUID();
    const release = releaseNameFor(id);
    let state: InfraState = {};

    after(async () => {
      await helm(env, 'uninstall', release, '--namespace', ns);
      await (await kubeClient()).deleteNamespace({ name: ns }).catch(() => undefined);
    });

    test('instantiate, observe, scale, terminate', async () => {
      env = await testbed();
      const driver = createHelmDriver({
        transport: 'local',
        helmBinary: env[major],
        homeDir: join(scratch, major),
      });
      const ctx = infraContext(testVim(env), pkg, v2({ namespace: ns }), id);
      await driver.validate(ctx);
      state = await driver.instantiate(ctx, { VDU1: 2, VDU2: 1 }, {});
      const core = await kubeClient();
      await runningPods(core, ns, 'vdu=vdu1', 2);
      await runningPods(core, ns, 'vdu=vdu2', 1);

      const values = JSON.parse((await helm(env, 'get', 'values', release, '-n', ns, '-o', 'json')).stdout);
      assert.deepEqual(
        values,
        {
          service: { port: 8081, type: 'NodePort' },
          config: {
            list: 'a=b,c=d',
            dotted: 'x.y.z',
            quoted: EXACT['config.quoted'],
            flag: true,
            number_as_text: '007',
          },
          replicaCountVdu1: 2,
          replicaCountVdu2: 1,
        },
        'helm_parameters reach the release exactly; the level replicas through helm_value_names',
      );

      const vnfcs = await driver.observe(ctx, state);
      assert.deepEqual(
        vnfcs.map((v) => [v.vduId, v.workloadName]),
        [
          ['VDU1', `vdu1-${release}`],
          ['VDU1', `vdu1-${release}`],
          ['VDU2', `vdu2-${release}`],
        ],
        'VDUs found by their name as the workload names prefix',
      );

      state = await driver.scale(ctx, { VDU2: 3 }, state);
      await runningPods(core, ns, 'vdu=vdu2', 3);
      const scaled = JSON.parse((await helm(env, 'get', 'values', release, '-n', ns, '-o', 'json')).stdout);
      assert.equal(scaled.replicaCountVdu2, 3, 'scaled by helm upgrade --set replicaCountVdu2');
      assert.equal(scaled.config.list, 'a=b,c=d', 'the other values kept');
      assert.equal((state as unknown as HelmState).releases[0]?.revision, 2);

      await driver.terminate(ctx, state);
      await eventually(
        'pods gone',
        () => pods(core, ns, `app.kubernetes.io/instance=${release}`),
        (ps) => ps.length === 0,
      );
      assert.equal((await helm(env, 'list', '-n', ns, '-q')).stdout.trim(), '');
      assert.ok(!logged.join('').includes(env.bearerToken), 'no token in the log');
    });
  });
}
