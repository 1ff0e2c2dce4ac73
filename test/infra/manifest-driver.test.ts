// The manifest-mode infra driver against the real testbed cluster: validation of
// additionalParams and package files, then instantiate / observe / scale / heal /
// terminate with the pods checked through the API directly, a readiness timeout
// whose error carries the partial state that terminate then cleans up, and an
// existing object of someone else that is never taken over.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiException, type CoreV1Api } from '@kubernetes/client-node';
import { ProblemError } from '../../src/errors.ts';
import type { InfraContext, InfraState, VnfcResource } from '../../src/infra/driver.ts';
import { createManifestDriver, infraStateOf, INSTANCE_LABEL } from '../../src/infra/kubernetes/index.ts';
import { createLogger } from '../../src/log.ts';
import { type Flavour, loadVnfd } from '../../src/packages/vnfd/index.ts';
import type { Vim } from '../../src/vim/model.ts';
import { vnfdFiles } from '../helpers/cnf-package.ts';
import { pods } from '../helpers/pods.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';
import { openWatches } from '../../src/infra/kubernetes/watch.ts';

const DEPLOYMENT = 'Files/kubernetes/vdu1-deployment.yaml';
const STATEFULSET = 'Files/kubernetes/vdu2-statefulset.yaml';
const MORE = 'Files/kubernetes/vdu3-vdu4.yaml';
const PENDING = 'Files/kubernetes/vdu1-pending.yaml';

const MANIFESTS: Record<string, string> = {
  [DEPLOYMENT]: `# VDU1 with its configuration and Service
apiVersion: v1
kind: ConfigMap
metadata: {name: vdu1-config, labels: {app: vdu1-app}}
data: {GREETING: hello}
---
apiVersion: v1
kind: Service
metadata: {name: vdu1-svc}
spec:
  selector: {app: vdu1-app}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vdu1-app, labels: {app: vdu1-app, tier: front}}
spec:
  replicas: 2
  selector: {matchLabels: {app: vdu1-app}}
  template:
    metadata: {labels: {app: vdu1-app}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        envFrom: [{configMapRef: {name: vdu1-config}}]
`,
  [STATEFULSET]: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vdu2-app}
spec:
  replicas: 3
  serviceName: vdu2-svc
  selector: {matchLabels: {app: vdu2-app}}
  template:
    metadata: {labels: {app: vdu2-app}}
    spec:
      containers: [{name: db, image: postgres:17}]
---
apiVersion: v1
kind: Service
metadata: {name: vdu2-svc}
spec:
  clusterIP: None
  selector: {app: vdu2-app}
  ports: [{port: 5432}]
`,
  [MORE]: `apiVersion: v1
kind: Pod
metadata: {name: vdu3-pod, labels: {app: vdu3-pod}}
spec:
  containers: [{name: probe, image: busybox:1.37}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: vdu4-agent}
spec:
  selector: {matchLabels: {app: vdu4-agent}}
  template:
    metadata: {labels: {app: vdu4-agent}}
    spec:
      containers: [{name: agent, image: busybox:1.37}]
`,
  // VDU1 whose pods can never be scheduled: no node has this label.
  [PENDING]: `apiVersion: v1
kind: ConfigMap
metadata: {name: vdu1-config}
data: {GREETING: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vdu1-app}
spec:
  replicas: 1
  selector: {matchLabels: {app: vdu1-app}}
  template:
    metadata: {labels: {app: vdu1-app}}
    spec:
      nodeSelector: {vnfm.example/nowhere: "true"}
      containers: [{name: app, image: nginx:1.27}]
`,
  'Files/kubernetes/two-namespaces.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: a, namespace: ns-a}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: b, namespace: ns-b}
`,
  'Files/kubernetes/vdu1-twice.yaml': `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: vdu1-app}
spec:
  selector: {matchLabels: {app: vdu1-again}}
  template:
    metadata: {labels: {app: vdu1-again}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
`,
  // A typo the API server refuses rather than ignores (strict field validation).
  'Files/kubernetes/vdu1-typo.yaml': `apiVersion: v1
kind: ConfigMap
metadata: {name: vdu1-config}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: vdu1-app}
spec:
  replica: 2
  selector: {matchLabels: {app: vdu1-app}}
  template:
    metadata: {labels: {app: vdu1-app}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
`,
  'Files/kubernetes/broken.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n',
  'Files/kubernetes/nameless.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {labels: {a: b}}\n',
  'Files/kubernetes/bomb.yaml': `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`,
};

let root: string;
let flavour: Flavour;
let vim: Vim;
let core: CoreV1Api;
const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
const driver = createManifestDriver();
const namespaces: string[] = [];

/** A namespace name of this test run; every one is deleted in `after`. */
function newNamespace(): string {
  const ns = `mf-${randomBytes(4).toString('hex')}`;
  namespaces.push(ns);
  return ns;
}

function ctx(additionalParams: Record<string, unknown>, over: Partial<InfraContext> = {}): InfraContext {
  return {
    vim,
    packageRoot: root,
    vnfInstanceId: randomUUID(),
    flavour,
    additionalParams,
    log,
    timeoutMs: 30_000,
    ...over,
  };
}

/** Beside the fixture's Deployment VDU1 and StatefulSet VDU2: VDU3 a bare Pod, VDU4 a DaemonSet. */
const withMoreVdus = (f: Flavour): Flavour => {
  const vdu1 = f.vdus.find((v) => v.id === 'VDU1')!;
  return {
    ...f,
    vdus: [...f.vdus, { ...vdu1, id: 'VDU3', name: 'vdu3-pod' }, { ...vdu1, id: 'VDU4', name: 'vdu4-agent' }],
  };
};

async function rejects400(p: Promise<unknown>, detail: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof ProblemError, `a ProblemError, not ${String(err)}`);
    assert.equal(err.status, 400);
    assert.match(err.message, detail);
    assert.doesNotMatch(err.message, /\n/, 'one line');
    return true;
  });
}

const live = async (namespace: string, selector: string) =>
  (await pods(core, namespace, selector)).filter((p) => !p.terminating);

async function namespaceExists(name: string): Promise<boolean> {
  try {
    await core.readNamespace({ name });
    return true;
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return false;
    throw err;
  }
}

before(async () => {
  const env = await testbed();
  core = await kubeClient();
  root = mkdtempSync(join(tmpdir(), 'vnfm-manifest-'));
  const files = new Map<string, string>([...vnfdFiles(randomUUID()), ...Object.entries(MANIFESTS)]);
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  symlinkSync('/etc/hostname', join(root, 'Files/kubernetes/link.yaml'));
  execFileSync('mkfifo', [join(root, 'Files/kubernetes/fifo.yaml')]);
  flavour = loadVnfd(root, 'Definitions/sample_cnf_top.vnfd.yaml').flavours[0]!;
  const now = new Date().toISOString();
  vim = {
    id: randomUUID(),
    name: 'testbed',
    description: 'the testbed cluster',
    type: 'kubernetes',
    authUrl: env.apiServer,
    projectName: 'default',
    isDefault: true,
    status: 'REACHABLE',
    authCred: { bearer_token: env.bearerToken, ssl_ca_cert: readFileSync(env.caFile, 'utf8') },
    extra: {},
    createdAt: now,
    updatedAt: null,
  };
});

after(async () => {
  // Whatever a failed test left behind.
  for (const name of namespaces) {
    await core.deleteNamespace({ name }).catch(() => undefined);
  }
});

describe('manifest driver: validate', () => {
  const both = [DEPLOYMENT, STATEFULSET];
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['no def files', {}, /^additionalParams\.lcm-kubernetes-def-files is required/],
    ['an empty list', { 'lcm-kubernetes-def-files': [] }, /must be a non-empty list/],
    ['not a list', { 'lcm-kubernetes-def-files': DEPLOYMENT }, /must be a non-empty list/],
    ['a non-string entry', { 'lcm-kubernetes-def-files': [DEPLOYMENT, 7] }, /\[1\] must be a string/],
    [
      'a .. path',
      { 'lcm-kubernetes-def-files': ['../x.yaml'] },
      /\[0\]: path "\.\.\/x\.yaml" .*'\.\.' segment/,
    ],
    [
      'an absolute path',
      { 'lcm-kubernetes-def-files': ['/etc/passwd'] },
      /\[0\]: path "\/etc\/passwd" .*absolute/,
    ],
    [
      'a missing file',
      { 'lcm-kubernetes-def-files': [DEPLOYMENT, 'Files/kubernetes/none.yaml'] },
      /\[1\]: "Files\/kubernetes\/none\.yaml" does not exist in the package/,
    ],
    ['a directory', { 'lcm-kubernetes-def-files': ['Files/kubernetes'] }, /is not a regular file/],
    [
      'a FIFO',
      { 'lcm-kubernetes-def-files': ['Files/kubernetes/fifo.yaml'] },
      /fifo\.yaml" is not a regular file$/,
    ],
    [
      'a symbolic link',
      { 'lcm-kubernetes-def-files': ['Files/kubernetes/link.yaml'] },
      /link\.yaml" is a symbolic link$/,
    ],
    [
      'a VDU without workload',
      { 'lcm-kubernetes-def-files': [DEPLOYMENT] },
      /^VDU VDU2 \(name "vdu2-app"\) has no workload .* named "vdu2-app"/,
    ],
    [
      'an object defined twice',
      { 'lcm-kubernetes-def-files': [...both, PENDING] },
      /^ConfigMap "vdu1-config" is defined twice: in "Files\/kubernetes\/vdu1-deployment\.yaml" document 1 and "Files\/kubernetes\/vdu1-pending\.yaml" document 1$/,
    ],
    [
      'a VDU with two workloads',
      { 'lcm-kubernetes-def-files': [...both, 'Files/kubernetes/vdu1-twice.yaml'] },
      /^VDU VDU1 \(name "vdu1-app"\) matches more than one workload: Deployment in .*vdu1-deployment\.yaml" document 3, StatefulSet in .*vdu1-twice\.yaml" document 1$/,
    ],
    [
      'manifests in two namespaces',
      { 'lcm-kubernetes-def-files': [...both, 'Files/kubernetes/two-namespaces.yaml'] },
      /^the manifests name more than one namespace \(ns-a, ns-b\); use one, or set additionalParams\.namespace$/,
    ],
    [
      'a bad namespace',
      { 'lcm-kubernetes-def-files': both, namespace: 'Bad_NS' },
      /^additionalParams\.namespace "Bad_NS" is not a valid namespace name/,
    ],
    [
      'invalid YAML',
      { 'lcm-kubernetes-def-files': [...both, 'Files/kubernetes/broken.yaml'] },
      /^"Files\/kubernetes\/broken\.yaml" document 1: invalid YAML/,
    ],
    [
      'an object without a name',
      { 'lcm-kubernetes-def-files': [...both, 'Files/kubernetes/nameless.yaml'] },
      /document 1 \(ConfigMap\) has no metadata\.name/,
    ],
    [
      'an alias bomb',
      { 'lcm-kubernetes-def-files': [...both, 'Files/kubernetes/bomb.yaml'] },
      /bomb\.yaml" document 1: invalid YAML: .*alias/i,
    ],
  ];
  for (const [name, params, detail] of cases) {
    test(`refuses ${name} with a precise 400`, () => rejects400(driver.validate(ctx(params)), detail));
  }

  test('accepts the manifests of every VDU', async () => {
    await driver.validate(ctx({ 'lcm-kubernetes-def-files': [DEPLOYMENT, STATEFULSET], namespace: 'mf-ok' }));
  });
});

describe('manifest driver against the testbed cluster', () => {
  test('instantiate, observe, re-instantiate, scale out and in, heal, terminate', async () => {
    const namespace = newNamespace();
    const c = ctx(
      { 'lcm-kubernetes-def-files': [DEPLOYMENT, STATEFULSET, MORE], namespace },
      { flavour: withMoreVdus(flavour) },
    );
    const nodes = (await core.listNode()).items.length;
    await driver.validate(c);
    let state: InfraState = await driver.instantiate(c, { VDU1: 1, VDU2: 1, VDU3: 1, VDU4: 1 }, {});
    assert.equal(state.createdNamespace, true);
    assert.deepEqual(
      (state.resources as { kind: string; name: string }[]).map((r) => `${r.kind}/${r.name}`),
      [
        'ConfigMap/vdu1-config',
        'Service/vdu1-svc',
        'Service/vdu2-svc',
        'Deployment/vdu1-app',
        'StatefulSet/vdu2-app',
        'Pod/vdu3-pod',
        'DaemonSet/vdu4-agent',
      ],
      'recorded in apply order; the namespace the driver created is recorded apart',
    );
    const ns = await core.readNamespace({ name: namespace });
    assert.equal(ns.metadata?.labels?.[INSTANCE_LABEL], c.vnfInstanceId);

    // The cluster itself: replicas as asked (not the manifests' 2 and 3), Running, labelled.
    const vdu1 = await live(namespace, 'app=vdu1-app');
    assert.equal(vdu1.length, 1);
    assert.deepEqual(
      (await live(namespace, 'app=vdu2-app')).map((p) => p.name),
      ['vdu2-app-0'],
    );
    const vdu4 = await live(namespace, 'app=vdu4-agent');
    assert.equal(vdu4.length, nodes, 'one DaemonSet pod per node, whatever replicas said');
    const all = await live(namespace, `${INSTANCE_LABEL}=${c.vnfInstanceId}`);
    assert.equal(all.length, 3 + nodes, 'every pod carries the instance label');
    assert.ok(all.every((p) => p.phase === 'Running'));
    const cm = await core.readNamespacedConfigMap({ name: 'vdu1-config', namespace });
    assert.equal(cm.metadata?.labels?.app, 'vdu1-app', "the manifest's labels are kept");
    assert.equal(cm.metadata?.labels?.[INSTANCE_LABEL], c.vnfInstanceId);

    // observe() is exactly the live pods.
    const row = (v: VnfcResource) => [v.vduId, v.id, v.workloadKind, v.workloadName, v.namespace, v.status];
    assert.deepEqual((await driver.observe(c, state)).map(row).sort(), [
      ['VDU1', vdu1[0]!.name, 'Deployment', 'vdu1-app', namespace, 'Running'],
      ['VDU2', 'vdu2-app-0', 'StatefulSet', 'vdu2-app', namespace, 'Running'],
      ['VDU3', 'vdu3-pod', 'Pod', 'vdu3-pod', namespace, 'Running'],
      ...vdu4.map((p) => ['VDU4', p.name, 'DaemonSet', 'vdu4-agent', namespace, 'Running']),
    ]);

    // A retry applies the same objects again: no 409, no new pods, the same state.
    const again = await driver.instantiate(c, { VDU1: 1, VDU2: 1, VDU3: 1, VDU4: 1 }, state);
    assert.deepEqual(again, state);
    assert.deepEqual(
      (await live(namespace, 'app=vdu1-app')).map((p) => p.name),
      vdu1.map((p) => p.name),
    );

    // What cannot be scaled is refused before anything changes.
    await rejects400(
      driver.scale(c, { VDU1: 3, VDU3: 2 }, state),
      /^VDU VDU3 is the bare Pod vdu3-pod: it has exactly 1 instance, not 2$/,
    );
    await rejects400(
      driver.scale(c, { VDU4: 3 }, state),
      /^VDU VDU4 is the DaemonSet vdu4-agent: .*cannot be scaled$/,
    );
    await rejects400(driver.scale(c, { VDU9: 2 }, state), /^VDU VDU9 is not a VDU of this VNF instance$/);
    assert.equal((await pods(core, namespace, 'app=vdu1-app')).length, 1);

    state = await driver.scale(c, { VDU1: 3 }, state);
    assert.equal((await live(namespace, 'app=vdu1-app')).length, 3);
    assert.equal((await pods(core, namespace, 'app=vdu1-app')).length, 3, 'none terminating');
    state = await driver.scale(c, { VDU1: 1, VDU2: 2 }, state);
    assert.equal(
      (await pods(core, namespace, 'app=vdu1-app')).length,
      1,
      'scale-in waited for the pods to go',
    );
    assert.deepEqual(
      (await live(namespace, 'app=vdu2-app')).map((p) => p.name),
      ['vdu2-app-0', 'vdu2-app-1'],
    );

    // Heal: the named pods are replaced, the counts stay.
    const [victim] = (await live(namespace, 'app=vdu1-app')).map((p) => p.name);
    const vdu2Uid = (await core.readNamespacedPod({ name: 'vdu2-app-1', namespace })).metadata?.uid;
    state = await driver.healVnfcs(c, [victim!, 'vdu2-app-1', 'vdu3-pod', vdu4[0]!.name], state);
    const healed1 = await live(namespace, 'app=vdu1-app');
    assert.equal(healed1.length, 1);
    assert.notEqual(healed1[0]!.name, victim, 'VDU1 has a new pod');
    const vdu2Pod = await core.readNamespacedPod({ name: 'vdu2-app-1', namespace });
    assert.notEqual(vdu2Pod.metadata?.uid, vdu2Uid, 'the StatefulSet pod is a new one under the same name');
    const vdu3Pod = await core.readNamespacedPod({ name: 'vdu3-pod', namespace });
    assert.equal(vdu3Pod.status?.phase, 'Running', 'the bare Pod was re-created from its manifest');
    const healed4 = await live(namespace, 'app=vdu4-agent');
    assert.equal(healed4.length, nodes);
    assert.ok(!healed4.some((p) => p.name === vdu4[0]!.name), 'the DaemonSet pod was replaced');
    assert.equal((await driver.observe(c, state)).length, 4 + nodes);

    // Only this instance's VNFCs can be healed.
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: 'foreign', labels: { app: 'vdu1-app' } },
        spec: { containers: [{ name: 'x', image: 'x' }] },
      },
    });
    await rejects400(
      driver.healVnfcs(c, ['foreign'], state),
      /^pod "foreign" is not a VNFC of VNF instance /,
    );
    await rejects400(driver.healVnfcs(c, ['nope'], state), /^pod "nope" is not a VNFC/);
    assert.equal(
      (await driver.observe(c, state)).length,
      4 + nodes,
      'a pod matching a selector but not owned is no VNFC',
    );
    await core.deleteNamespacedPod({ name: 'foreign', namespace, gracePeriodSeconds: 0 });

    await driver.terminate(c, state);
    assert.equal(await namespaceExists(namespace), false, 'the namespace the driver created is gone');
    assert.deepEqual(await driver.observe(c, state), []);
    // Terminate again: everything already gone counts as deleted.
    await driver.terminate(c, state);
    await eventually(
      'no watch left open by the waits',
      async () => openWatches(),
      (n) => n === 0,
    );
  });

  test('a readiness timeout names the workload and carries the state that terminate cleans up', async () => {
    const namespace = newNamespace();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const c = ctx(
      { 'lcm-kubernetes-def-files': [PENDING], namespace },
      { flavour: { ...flavour, vdus: flavour.vdus.filter((v) => v.id === 'VDU1') }, timeoutMs: 2_000 },
    );
    let state: InfraState | undefined;
    await assert.rejects(driver.instantiate(c, { VDU1: 1 }, {}), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^Deployment ${namespace}/vdu1-app: 0/1 replicas ready \\(pod vdu1-app-\\S+ Pending: .*node.*\\) after 2s$`,
        ),
      );
      state = infraStateOf(err);
      return true;
    });
    assert.ok(state);
    assert.equal(state.createdNamespace, false, 'the namespace existed before');
    assert.equal((state.resources as unknown[]).length, 2);
    assert.equal((await pods(core, namespace, 'app=vdu1-app')).length, 1);

    await driver.terminate(c, state, { timeoutSeconds: 1 });
    assert.deepEqual(await pods(core, namespace, 'app=vdu1-app'), []);
    const cms = await core.listNamespacedConfigMap({ namespace, labelSelector: INSTANCE_LABEL });
    assert.equal(cms.items.length, 0);
    assert.equal(await namespaceExists(namespace), true, 'a namespace the driver did not create is kept');
    await core.deleteNamespace({ name: namespace });
  });

  test('an existing object of someone else is not taken over', async () => {
    const namespace = newNamespace();
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: 'vdu1-config' }, data: { mine: 'yes' } },
    });
    const c = ctx({ 'lcm-kubernetes-def-files': [DEPLOYMENT, STATEFULSET], namespace });
    let state: InfraState | undefined;
    await assert.rejects(driver.instantiate(c, { VDU1: 1, VDU2: 1 }, {}), (err: Error) => {
      assert.ok(err instanceof ProblemError);
      assert.equal(err.status, 409);
      assert.match(
        err.message,
        new RegExp(
          `^ConfigMap ${namespace}/vdu1-config \\(.*vdu1-deployment\\.yaml" document 1\\) already exists and does not belong to VNF instance ${c.vnfInstanceId}$`,
        ),
      );
      state = infraStateOf(err);
      return true;
    });
    assert.deepEqual(state?.resources, [], 'nothing was applied');
    await driver.terminate(c, state!);
    const cm = await core.readNamespacedConfigMap({ name: 'vdu1-config', namespace });
    assert.equal(cm.data?.mine, 'yes', 'untouched');
    await core.deleteNamespace({ name: namespace });
  });

  test('a field the API does not know fails the apply with its reason; terminate removes what was applied', async () => {
    const namespace = newNamespace();
    const c = ctx(
      { 'lcm-kubernetes-def-files': ['Files/kubernetes/vdu1-typo.yaml'], namespace },
      { flavour: { ...flavour, vdus: flavour.vdus.filter((v) => v.id === 'VDU1') } },
    );
    let state: InfraState | undefined;
    await assert.rejects(driver.instantiate(c, { VDU1: 1 }, {}), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^Deployment ${namespace}/vdu1-app \\(.*vdu1-typo\\.yaml" document 2\\): apply failed: HTTP 500: .*\\.spec\\.replica: field not declared in schema$`,
        ),
      );
      state = infraStateOf(err);
      return true;
    });
    assert.equal(state?.createdNamespace, true);
    assert.deepEqual(
      (state?.resources as { kind: string }[]).map((r) => r.kind),
      ['ConfigMap', 'Deployment'],
      'the object that failed is recorded too: terminate treats it as already gone',
    );
    await driver.terminate(c, state!);
    assert.equal(await namespaceExists(namespace), false);
  });
});
