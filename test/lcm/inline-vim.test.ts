// A VIM given inline in the instantiate request, as SOL003 v3 clients (the reference
// VNFM's v2 users) send it — vimType ETSINFV.HELM.V_3, interfaceInfo.endpoint and
// ssl_ca_cert, accessInfo.bearer_token of the testbed cluster, a vimId of its own that
// names no registered VIM — with the v2 Helm parameters, through the v1 API: instantiate,
// scale, heal, a PATCH moving the endpoint (refused without the token, then given it),
// scale again over the new endpoint, terminate. The token is never in an answer, the
// server's log, a child process's argv or environment, or any SQLite column unsealed.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { getInstance } from '../../src/db/queries/instances.ts';
import { releaseNameFor } from '../../src/infra/helm/params.ts';
import { requestVimConnection } from '../../src/lcm/infra-context.ts';
import type { TestbedEnv } from '../../testbed/index.ts';
import { stateDir } from '../../testbed/lib/paths.ts';
import { CHART_PATH, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { helm, removeHelperFiles } from '../helpers/helm-driver.ts';
import { createInstance, onboardPackage, opOccSettled, registerTestbedVim, runOp } from '../helpers/lcm.ts';
import { pods, runningPods } from '../helpers/pods.ts';
import { isHelm, watchProcesses } from '../helpers/process-watch.ts';
import { freshStore } from '../helpers/stores.ts';
import { apiServerProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { toV2Package, V2_CHART_PATH, v2ChartTgz } from '../helpers/v2-helm-chart.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

let env: TestbedEnv;
let vnfm: TestVnfm;
let database = '';
let vnfdId = '';
let ca = '';
let proxy: TcpProxy;

before(async () => {
  env = await testbed();
  database = await freshStore('sqlite');
  vnfm = await startVnfm(database, { lcmTimeoutSeconds: 120, helmBinary: env.helm3 });
  const chart = await v2ChartTgz();
  vnfdId = (await onboardPackage(vnfm, { edit: (files) => toV2Package(files, chart) })).vnfdId;
  ca = readFileSync(env.caFile, 'utf8');
  proxy = await apiServerProxy();
});

after(async () => {
  await vnfm.close();
  await proxy.cut();
  removeHelperFiles();
});

/** The reference's v2 request body, as a v1 list (the v2 routes convert their map to it). */
function inlineEntry(endpoint = env.apiServer, token: string | null = env.bearerToken) {
  return {
    id: 'vim1',
    vimId: randomUUID(),
    vimType: 'ETSINFV.HELM.V_3',
    interfaceInfo: { endpoint, ssl_ca_cert: ca },
    accessInfo: token === null ? {} : { bearer_token: token },
  };
}

const HELM_PARAMETERS = {
  'service.port': 8081,
  'service.type': 'NodePort',
  'config.list': 'a=b,c=d',
  'config.url': 'https://example.com/x?y=1,2',
};

const v2Params = (namespace: string) => ({
  namespace,
  helm_chart_path: V2_CHART_PATH,
  helm_parameters: HELM_PARAMETERS,
  helm_value_names: { VDU1: { replica: 'replicaCountVdu1' }, VDU2: { replica: 'replicaCountVdu2' } },
});

/** Every row of every table of the SQLite store, as text. */
function everyRow(): string {
  const db = new DatabaseSync(database.replace(/^sqlite:/, ''), { readOnly: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
      name: string;
    }[];
    return tables
      .map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name.replace(/"/g, '""')}"`).all()))
      .join('\n');
  } finally {
    db.close();
  }
}

async function vnfcsMatch(id: string, ns: string, counts: Record<string, number>) {
  const core = await kubeClient();
  for (const [vdu, n] of Object.entries(counts)) {
    const live = (await runningPods(core, ns, `vdu=${vdu.toLowerCase()}`, n)).map((p) => p.name).sort();
    await eventually(
      `${vdu}: vnfcResourceInfo = live pods`,
      async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body,
      (i) =>
        JSON.stringify(
          i.instantiatedVnfInfo.vnfcResourceInfo
            .filter((v: any) => v.vduId === vdu)
            .map((v: any) => v.id)
            .sort(),
        ) === JSON.stringify(live),
      10_000,
    );
  }
}

describe('inline ETSINFV.HELM.V_3 VIM with the v2 Helm parameters', () => {
  test('instantiate, scale, heal, PATCH the endpoint, scale, terminate; the token never shown', async () => {
    const ns = `inline-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, vnfdId, 'inline-vim');
    const release = releaseNameFor(id);
    const core = await kubeClient();
    const instance = async () => (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    const watch = watchProcesses([env.bearerToken]);
    const entry = inlineEntry();

    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [entry],
      additionalParams: v2Params(ns),
    });
    await vnfcsMatch(id, ns, { VDU1: 1, VDU2: 1 });
    const values = JSON.parse((await helm(env, 'get', 'values', release, '-n', ns, '-o', 'json')).stdout);
    assert.deepEqual(values.config, { list: 'a=b,c=d', url: 'https://example.com/x?y=1,2' });
    assert.deepEqual(values.service, { port: 8081, type: 'NodePort' }, 'values keep their JSON types');
    const shown = (await instance()).vimConnectionInfo;
    assert.deepEqual(shown, [
      {
        ...entry,
        accessInfo: { bearer_token: '***' },
      },
    ]);
    const stored = (await getInstance(vnfm.ctx.db, id))!;
    assert.equal(stored.vimId, null, 'no registered VIM recorded');
    assert.equal(stored.infraState.vimInline, true);
    assert.equal(
      requestVimConnection(vnfm.ctx, stored.infraState)?.accessInfo?.bearer_token,
      env.bearerToken,
      'kept sealed for the next operations',
    );

    await runOp(vnfm, id, 'scale', { type: 'SCALE_OUT', aspectId: 'vdu1_aspect', numberOfSteps: 2 });
    await vnfcsMatch(id, ns, { VDU1: 3, VDU2: 1 });
    const scaled = JSON.parse((await helm(env, 'get', 'values', release, '-n', ns, '-o', 'json')).stdout);
    assert.equal(scaled.replicaCountVdu1, 3, 'scaled through helm_value_names');
    assert.equal(scaled.config.list, 'a=b,c=d');

    const victim = (await instance()).instantiatedVnfInfo.vnfcResourceInfo.find(
      (v: any) => v.vduId === 'VDU2',
    ).id;
    await runOp(vnfm, id, 'heal', { vnfcInstanceId: [victim] });
    await vnfcsMatch(id, ns, { VDU1: 3, VDU2: 1 });
    assert.ok(!(await instance()).instantiatedVnfInfo.vnfcResourceInfo.some((v: any) => v.id === victim));

    // Moving the endpoint without the token again would send the stored token to it: refused.
    const moved = `https://127.0.0.1:${proxy.port}`;
    for (const accessInfo of [undefined, { bearer_token: '***' }]) {
      const res = await vnfm.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
        vimConnectionInfo: [
          { id: 'vim1', interfaceInfo: { endpoint: moved }, ...(accessInfo ? { accessInfo } : {}) },
        ],
      });
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(
        res.body.detail,
        /interfaceInfo\.endpoint changed: .*accessInfo\.bearer_token must be given again/,
      );
    }
    // The entry the instance runs on stays its inline VIM: not dropped, not turned into a registered one.
    const registered = await registerTestbedVim(vnfm, `inline-other-${randomBytes(3).toString('hex')}`);
    for (const patch of [
      { id: 'vim1', interfaceInfo: null, accessInfo: null },
      { id: 'vim1', vimId: registered },
    ]) {
      const res = await vnfm.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
        vimConnectionInfo: [patch],
      });
      assert.equal(res.status, 409, JSON.stringify(res.body));
      assert.match(res.body.detail, /runs on the VIM this entry gives inline/);
    }
    // A '***' where nothing moved stands for the stored token.
    const kept = await vnfm.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
      vimConnectionInfo: [{ id: 'vim1', accessInfo: { bearer_token: '***' } }],
    });
    assert.equal(kept.status, 202, JSON.stringify(kept.body));
    await eventually(
      'PATCH done',
      async () => (await vnfm.request('GET', kept.headers.get('location')!)).body.operationState,
      (s) => s === 'COMPLETED',
    );
    const given = await vnfm.request('PATCH', `/vnflcm/v1/vnf_instances/${id}`, {
      vimConnectionInfo: [
        { id: 'vim1', interfaceInfo: { endpoint: moved }, accessInfo: { bearer_token: env.bearerToken } },
      ],
    });
    assert.equal(given.status, 202, JSON.stringify(given.body));
    await eventually(
      'PATCH done',
      async () => (await vnfm.request('GET', given.headers.get('location')!)).body.operationState,
      (s) => s === 'COMPLETED',
    );
    assert.equal((await instance()).vimConnectionInfo[0].interfaceInfo.endpoint, moved);

    // The next operation reaches the cluster through the new endpoint (the proxy counts it).
    const before = proxy.accepted;
    await runOp(vnfm, id, 'scale', { type: 'SCALE_IN', aspectId: 'vdu1_aspect', numberOfSteps: 1 });
    await vnfcsMatch(id, ns, { VDU1: 2, VDU2: 1 });
    assert.ok(proxy.accepted > before, 'the scale went to the patched endpoint');

    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    await eventually(
      'pods gone',
      () => pods(core, ns, `app.kubernetes.io/instance=${release}`),
      (ps) => ps.length === 0,
    );
    assert.equal((await helm(env, 'list', '-n', ns, '-q')).stdout.trim(), '', 'no release left');
    assert.equal((await instance()).instantiationState, 'NOT_INSTANTIATED');

    const seen = watch.stop();
    assert.ok([...seen.programs].some(isHelm), `the process watch saw helm run (${seen.samples} samples)`);
    assert.deepEqual(seen.leaks, [], 'no token on a command line or in a child environment');
    const answers = JSON.stringify([
      await instance(),
      (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs?all_fields')).body,
      (await vnfm.request('GET', '/vnflcm/v1/vnf_instances?all_fields')).body,
    ]);
    assert.ok(answers.includes('"bearer_token":"***"'), 'the token shown masked');
    assert.ok(!answers.includes(env.bearerToken), 'no token in any answer');
    assert.ok(!vnfm.logs().includes(env.bearerToken), 'no token in the server log');
    assert.ok(!everyRow().includes(env.bearerToken), 'no token in any SQLite column unsealed');
    await (await kubeClient()).deleteNamespace({ name: ns }).catch(() => undefined);
  });
});

describe('other VIMs of the v2 clients', () => {
  test('inline ETSINFV.KUBERNETES.V_1 with a client certificate: manifest mode; the key never shown', async () => {
    const pki = join(stateDir, 'pki');
    const cert = readFileSync(join(pki, 'admin.crt'), 'utf8');
    const key = readFileSync(join(pki, 'admin.key'), 'utf8');
    const ns = `inline-mf-${randomBytes(3).toString('hex')}`;
    const { vnfdId: plain } = await onboardPackage(vnfm);
    const id = await createInstance(vnfm, plain, 'inline-cert');
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [
        {
          id: 'k8s',
          vimType: 'ETSINFV.KUBERNETES.V_1',
          interfaceInfo: { endpoint: env.apiServer, ssl_ca_cert: ca },
          // Flattened the way one-line settings carry PEM (newlines as spaces): read all the same.
          accessInfo: { client_cert: cert.replace(/\n/g, ' '), client_key: key },
        },
      ],
      additionalParams: { namespace: ns, 'lcm-kubernetes-def-files': [MANIFEST_PATH] },
    });
    const core = await kubeClient();
    await runningPods(core, ns, 'app=vdu1-app', 1);
    const shown = (await vnfm.request('GET', `/vnflcm/v1/vnf_instances/${id}`)).body;
    assert.equal(shown.vimConnectionInfo[0].accessInfo.client_key, '***');
    assert.equal(shown.instantiatedVnfInfo.vnfcResourceInfo.length, 2);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    const keyBody = key.split('\n')[1]!;
    assert.ok(!JSON.stringify(shown).includes(keyBody), 'no key in the answer');
    assert.ok(!vnfm.logs().includes(keyBody), 'no key in the server log');
    assert.ok(!everyRow().includes(keyBody), 'no key in any SQLite column unsealed');
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  test('a registered VIM named by vimId with vimType ETSINFV.HELM.V_3 and the v2 Helm parameters', async () => {
    const vimId = await registerTestbedVim(vnfm, `v2-registered-${randomBytes(3).toString('hex')}`);
    const ns = `v2-reg-${randomBytes(3).toString('hex')}`;
    const id = await createInstance(vnfm, vnfdId, 'v2-registered');
    await runOp(vnfm, id, 'instantiate', {
      flavourId: 'helmchart',
      vimConnectionInfo: [{ id: 'vim1', vimId, vimType: 'ETSINFV.HELM.V_3' }],
      additionalParams: v2Params(ns),
    });
    await vnfcsMatch(id, ns, { VDU1: 1, VDU2: 1 });
    assert.equal((await getInstance(vnfm.ctx.db, id))!.vimId, vimId);
    await runOp(vnfm, id, 'terminate', { terminationType: 'FORCEFUL' });
    assert.equal((await helm(env, 'list', '-n', ns, '-q')).stdout.trim(), '', 'no release left');
    await (await kubeClient()).deleteNamespace({ name: ns }).catch(() => undefined);
  });
});

describe('rollback on an inline VIM', () => {
  test('an instantiate whose VDUs no workload carries: FAILED_TEMP, rolled back through the inline VIM', async () => {
    const ns = `inline-rb-${randomBytes(3).toString('hex')}`;
    // The plain package's VDUs are named vdu1-app / vdu2-app; its chart renders <release>-app.
    const { vnfdId: plain } = await onboardPackage(vnfm);
    const id = await createInstance(vnfm, plain, 'inline-rollback');
    const failed = await runOp(
      vnfm,
      id,
      'instantiate',
      {
        flavourId: 'helmchart',
        vimConnectionInfo: [inlineEntry()],
        additionalParams: { namespace: ns, helm_chart_path: CHART_PATH },
      },
      'FAILED_TEMP',
    );
    assert.match(
      failed.error.detail,
      /VDU VDU1: no workload of release vnf[0-9a-f]+ has a name starting with "vdu1-app-"/,
    );
    assert.ok(!JSON.stringify(failed).includes(env.bearerToken));
    const left = (await helm(env, 'list', '-n', ns, '-q')).stdout.trim();
    assert.equal(left, releaseNameFor(id), 'the failed install left its release for the rollback');
    const res = await vnfm.request('POST', `/vnflcm/v1/vnf_lcm_op_occs/${failed.id}/rollback`);
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const done = await opOccSettled(vnfm, failed.id);
    assert.equal(done.operationState, 'ROLLED_BACK', JSON.stringify(done.error));
    assert.equal((await helm(env, 'list', '-n', ns, '-q')).stdout.trim(), '', 'the release removed');
    await (await kubeClient()).deleteNamespace({ name: ns }).catch(() => undefined);
  });
});

describe('refused before anything runs', () => {
  test('bad inline VIMs and mixed parameter styles are 400s naming the field', async () => {
    const id = await createInstance(vnfm, vnfdId, 'inline-bad');
    const ns = 'inline-bad';
    const cases: [object, RegExp][] = [
      [
        { vimConnectionInfo: [inlineEntry(env.apiServer.replace('https:', 'http:'))] },
        /vimConnectionInfo\[0\]\.interfaceInfo\.endpoint must be an https URL/,
      ],
      [{ vimConnectionInfo: [inlineEntry(env.apiServer, null)] }, /accessInfo needs bearer_token/],
      [{ vimConnectionInfo: [inlineEntry(env.apiServer, '***')] }, /accessInfo\.bearer_token: '\*\*\*'/],
      [
        {
          vimConnectionInfo: [
            { ...inlineEntry(), accessInfo: { username: 'admin', password: 'secret-pw-123' } },
          ],
        },
        /accessInfo\.username: not supported/,
      ],
      [
        { vimConnectionInfo: [{ ...inlineEntry(), interfaceInfo: { ssl_ca_cert: ca } }] },
        /interfaceInfo\.endpoint is required/,
      ],
      [
        {
          vimConnectionInfo: [
            { ...inlineEntry(), interfaceInfo: { endpoint: env.apiServer, ssl_ca_cert: 'not a pem' } },
          ],
        },
        /interfaceInfo\.ssl_ca_cert must be PEM certificates/,
      ],
      [
        { vimConnectionInfo: [{ ...inlineEntry(), vimType: 'ETSINFV.OPENSTACK_KEYSTONE.V_3' }] },
        /vimType: a VIM given inline must be one of/,
      ],
      [
        {
          vimConnectionInfo: [inlineEntry()],
          additionalParams: {
            ...v2Params(ns),
            using_helm_install_param: [
              { exthelmchart: 'false', helmchartfile_path: V2_CHART_PATH, helmreleasename: 'a' },
            ],
          },
        },
        /cannot be mixed/,
      ],
      [
        {
          vimConnectionInfo: [inlineEntry()],
          additionalParams: { 'lcm-kubernetes-def-files': ['Files/kubernetes/deployment.yaml'] },
        },
        /ETSINFV\.HELM\.V_3 is Helm mode/,
      ],
      [
        {
          vimConnectionInfo: [inlineEntry()],
          additionalParams: { ...v2Params(ns), helm_value_names: { VDU7: { replica: 'x' } } },
        },
        /helm_value_names\.VDU7/,
      ],
    ];
    for (const [body, detail] of cases) {
      const res = await vnfm.request('POST', `/vnflcm/v1/vnf_instances/${id}/instantiate`, {
        flavourId: 'helmchart',
        additionalParams: v2Params(ns),
        ...body,
      });
      assert.equal(res.status, 400, `${String(detail)} → ${JSON.stringify(res.body)}`);
      assert.equal(res.body.status, 400);
      assert.match(res.body.detail, detail);
    }
    const ops = (await vnfm.request('GET', '/vnflcm/v1/vnf_lcm_op_occs')).body;
    assert.ok(!ops.some((o: any) => o.vnfInstanceId === id), 'no op occ for a refused request');
    assert.ok(!vnfm.logs().includes('secret-pw-123'), 'a refused secret is not logged');
  });
});
