// The manifest driver's pure parts: apply order, label selectors, and readiness
// judged from workload status and pods as the API returns them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { inApplyOrder } from '../../src/infra/kubernetes/apply-order.ts';
import { assess } from '../../src/infra/kubernetes/readiness.ts';
import { type LiveWorkload, selectorQuery } from '../../src/infra/kubernetes/workloads.ts';

test('objects are applied dependencies first, manifest order kept within a rank', () => {
  const kinds = [
    'Ingress',
    'Deployment',
    'Service',
    'RoleBinding',
    'ConfigMap',
    'PersistentVolumeClaim',
    'Secret',
    'ServiceAccount',
    'StatefulSet',
    'LimitRange',
    'Namespace',
    'MyCustomResource',
    'Role',
  ];
  assert.deepEqual(
    inApplyOrder(kinds, (k) => k),
    [
      'Namespace',
      'LimitRange',
      'ServiceAccount',
      'Secret',
      'ConfigMap',
      'PersistentVolumeClaim',
      'RoleBinding',
      'Role',
      'Service',
      'Deployment',
      'StatefulSet',
      'Ingress',
      'MyCustomResource',
    ],
  );
});

test('a selector becomes a label selector query; an empty one selects nothing', () => {
  assert.equal(
    selectorQuery({
      matchLabels: { app: 'a', tier: 'b' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['x', 'y'] },
        { key: 'old', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
        { key: 'v', operator: 'NotIn', values: ['1'] },
      ],
    }),
    'app=a,tier=b,env in (x,y),!old,zone,v notin (1)',
  );
  assert.equal(selectorQuery({}), undefined);
  assert.equal(selectorQuery(undefined), undefined);
});

const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'vdu1-app', namespace: 'ns' };
const pod = (name: string, ready: boolean, extra: Partial<V1Pod> = {}): V1Pod => ({
  metadata: { name, ...extra.metadata },
  status: {
    phase: ready ? 'Running' : 'Pending',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    ...extra.status,
  },
});
const deployment = (status: Record<string, unknown>, desired = 2): LiveWorkload => ({
  ref,
  uid: 'u',
  generation: 2,
  desired,
  counted: desired,
  selector: 'app=vdu1-app',
  status: { observedGeneration: 2, replicas: desired, updatedReplicas: desired, ...status },
});

test('readiness: current spec, ready count, exact pod count, none terminating', () => {
  const two = [pod('a', true), pod('b', true)];
  assert.deepEqual(assess(deployment({ readyReplicas: 2 }), two), { ready: true, lacking: '' });
  assert.match(
    assess(deployment({ readyReplicas: 2, observedGeneration: 1 }), two).lacking,
    /not yet seen the current spec \(generation 2, observed 1\)/,
  );
  const pending = pod('b', false, {
    status: { conditions: [{ type: 'PodScheduled', status: 'False', message: '0/2 nodes are available' }] },
  });
  assert.equal(
    assess(deployment({ readyReplicas: 1 }), [two[0]!, pending]).lacking,
    '1/2 replicas ready (pod b Pending: 0/2 nodes are available)',
  );
  // Scale-in: the controller already counts 1, but a pod is still terminating.
  const leaving = pod('b', true, { metadata: { name: 'b', deletionTimestamp: new Date() } });
  assert.equal(
    assess(deployment({ readyReplicas: 1, replicas: 1, updatedReplicas: 1 }, 1), [two[0]!, leaving]).lacking,
    '1 pods for 1 replicas, 1 terminating',
  );
  assert.equal(assess(undefined, []).lacking, 'does not exist');
});
