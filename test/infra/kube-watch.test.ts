// Waits on the cluster by watch (src/infra/kubernetes/watch.ts) against the testbed's
// API server: a watch whose connection is reset resumes and misses nothing; manifest- and Helm-mode readiness waits and the VDU counts of
// `_progress` leave no watch open once they end; an API server that falls silent
// mid-wait (a frozen proxy) fails the wait at its deadline, one that refuses fails it
// with the reason, and neither leaves a watch open.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { CoreV1Api } from '@kubernetes/client-node';
import { waitReady as helmWaitReady } from '../../src/infra/helm/workloads.ts';
import { apiReason, FIELD_MANAGER, kubeClients } from '../../src/infra/kubernetes/client.ts';
import { deadlineIn, InfraTimeoutError, waitReady } from '../../src/infra/kubernetes/readiness.ts';
import { followVdus } from '../../src/infra/kubernetes/vdu-progress.ts';
import { ClusterFeed, openWatches } from '../../src/infra/kubernetes/watch.ts';
import type { VduReadiness } from '../../src/infra/driver.ts';
import type { Vim } from '../../src/vim/model.ts';
import { apiServerProxy } from '../helpers/tcp-proxy.ts';
import { kubeClient, testbed } from '../helpers/testbed.ts';
import { eventually } from '../helpers/wait.ts';

let core: CoreV1Api;
let vim: Vim;
const ns = `kw-${randomBytes(4).toString('hex')}`;

function vimAt(authUrl: string): Vim {
  return { ...vim, id: randomUUID(), authUrl };
}

/** A Deployment of `replicas` pods; `pending`: they can never be scheduled. */
function deployment(name: string, replicas: number, pending = false) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27' }],
          ...(pending ? { nodeSelector: { 'no-such-node': 'true' } } : {}),
        },
      },
    },
  };
}

const ref = (name: string) => ({ apiVersion: 'apps/v1', kind: 'Deployment', name, namespace: ns });

const noWatchLeft = () =>
  eventually(
    'no watch open',
    async () => openWatches(),
    (n) => n === 0,
  );

before(async () => {
  const env = await testbed();
  core = await kubeClient();
  await core.createNamespace({ body: { metadata: { name: ns } } });
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
    createdAt: new Date().toISOString(),
    updatedAt: null,
  };
});

after(async () => {
  await core.deleteNamespace({ name: ns }).catch(() => undefined);
});

test('a watch whose connection is reset resumes and misses nothing made meanwhile', async () => {
  const proxy = await apiServerProxy();
  const feed = new ClusterFeed(kubeClients(vimAt(`https://127.0.0.1:${proxy.port}`)));
  const configMaps = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns };
  try {
    await feed.add([configMaps]);
    await eventually('the watch open', async () => feed.watching, Boolean);
    const before = proxy.accepted;
    proxy.reset();
    const made = await core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'meanwhile' } },
    });
    await eventually(
      'a new connection',
      async () => proxy.accepted,
      (n) => n > before,
    );
    await eventually(
      'the change seen after the reset',
      async () => Number(feed.arm()(configMaps) ?? 0),
      (rv) => rv >= Number(made.metadata?.resourceVersion),
    );
  } finally {
    feed.close();
    await proxy.cut();
  }
  await noWatchLeft();
});

test('readiness waits (manifest and Helm mode) and _progress counts end with no watch open', async () => {
  const c = kubeClients(vim);
  await c.objects.apply(deployment('ready', 2), FIELD_MANAGER);
  const counts: Record<string, VduReadiness>[] = [];
  const sink = {
    step: () => {},
    message: () => {},
    vdus: (v: Record<string, VduReadiness>) => void counts.push(v),
  };
  const progress = followVdus(c, sink, () => [{ vduId: 'VDU1', ref: ref('ready') }]);
  await waitReady(c, [ref('ready')], deadlineIn(120_000));
  await progress.stop();
  assert.deepEqual(
    counts.at(-1),
    { VDU1: { ready: 2, wanted: 2 } },
    'the last counts told are the final ones',
  );
  await helmWaitReady(c, [{ kind: 'Deployment', name: 'ready', namespace: ns }], Date.now() + 120_000);
  await noWatchLeft();
});

test("progress watches its workloads by name alone: the namespace's other workloads and pods wake it not", async () => {
  const c = kubeClients(vim);
  await c.objects.apply(deployment('watched-alone', 1), FIELD_MANAGER);
  const before = openWatches();
  let looks = 0;
  const sink = { step: () => {}, message: () => {}, vdus: () => void looks++ };
  const progress = followVdus(c, sink, () => [{ vduId: 'VDU1', ref: ref('watched-alone') }]);
  try {
    // The watches start before the first look's read returns: by then all of them are open.
    await eventually(
      'the first look',
      async () => looks,
      (n) => n >= 1,
    );
    await eventually(
      'its watch open',
      async () => openWatches() - before,
      (n) => n >= 1,
    );
    assert.equal(openWatches() - before, 1, 'one watch, of the Deployment by name (no namespace-wide ones)');
  } finally {
    await progress.stop();
  }
  await noWatchLeft();
});

test('an API server silent mid-wait: the wait fails at its deadline, no watch left open', async () => {
  const proxy = await apiServerProxy();
  try {
    const c = kubeClients(vimAt(`https://127.0.0.1:${proxy.port}`));
    await c.objects.apply(deployment('silent', 1, true), FIELD_MANAGER);
    const wait = waitReady(c, [ref('silent')], deadlineIn(8_000));
    wait.catch(() => {});
    await eventually(
      'the wait watching',
      async () => openWatches(),
      (n) => n >= 2,
    );
    proxy.freeze();
    await assert.rejects(wait, (err: unknown) => {
      assert.ok(err instanceof InfraTimeoutError, `a timeout, not ${String(err)}`);
      assert.match(err.message, new RegExp(`^Deployment ${ns}/silent: .* after 8s`));
      return true;
    });
  } finally {
    await proxy.cut();
  }
  await noWatchLeft();
});

test('an API server refusing mid-wait: the wait fails with the reason, no watch left open', async () => {
  const proxy = await apiServerProxy();
  let cut = false;
  try {
    const c = kubeClients(vimAt(`https://127.0.0.1:${proxy.port}`));
    await c.objects.apply(deployment('refused', 1, true), FIELD_MANAGER);
    const wait = waitReady(c, [ref('refused')], deadlineIn(600_000));
    wait.catch(() => {});
    await eventually(
      'the wait watching',
      async () => openWatches(),
      (n) => n >= 2,
    );
    await proxy.cut();
    cut = true;
    await assert.rejects(wait, (err: unknown) => {
      assert.match(apiReason(err), /unreachable/);
      return true;
    });
  } finally {
    if (!cut) await proxy.cut();
  }
  await noWatchLeft();
});
