// What the end-to-end notification tests check of what a receiver got: the POSTed
// bodies, in arrival order; each valid against its ETSI schema; ids unique; and the
// sequence an instance's lifecycle must produce (creation, then START/START/RESULT per
// operation, then deletion), compared per subscription + VNF instance.
import assert from 'node:assert/strict';
import { CHART_PATH } from './cnf-package.ts';
import { etsiValidator } from './etsi-schema.ts';
import type { Receiver } from './receiver.ts';
import { eventually } from './wait.ts';

const SCHEMAS: Record<string, (v: unknown) => string[]> = {
  VnfLcmOperationOccurrenceNotification: etsiValidator(
    'sol003-vnflcm-v2.6.1/VnfLcmOperationOccurrenceNotification.schema.json',
  ),
  VnfIdentifierCreationNotification: etsiValidator(
    'sol003-vnflcm-v2.6.1/VnfIdentifierCreationNotification.schema.json',
  ),
  VnfIdentifierDeletionNotification: etsiValidator(
    'sol003-vnflcm-v2.6.1/vnfIdentifierDeletionNotification.schema.json',
  ),
  VnfPackageOnboardingNotification: etsiValidator(
    'sol005-vnfpkgm-v2.6.1/VnfPackageOnboardingNotification.schema.json',
  ),
  VnfPackageChangeNotification: etsiValidator(
    'sol005-vnfpkgm-v2.6.1/VnfPackageChangeNotification.schema.json',
  ),
};

/** The notification bodies POSTed to `receiver` (from request `from` on), in arrival order. */
export function posted(receiver: Receiver, from = 0): any[] {
  return receiver.requests
    .slice(from)
    .filter((q) => q.method === 'POST' && q.path !== '/token')
    .map((q) => JSON.parse(q.body));
}

/** Every body valid against the ETSI schema of its type, and no id twice. */
export function assertValidAndUnique(got: any[]): void {
  for (const n of got) {
    const validate = SCHEMAS[n.notificationType];
    assert.ok(validate, `a known notification type: ${n.notificationType}`);
    assert.deepEqual(validate(n), [], `${n.notificationType} ${n.id} valid against the ETSI schema`);
  }
  const ids = got.map((n) => n.id);
  assert.equal(new Set(ids).size, ids.length, `no notification id twice: ${ids.join(' ')}`);
}

/** One line per notification, what the order checks compare: subject, type, operation or change, state, status, op occ. */
export function line(n: any): string {
  if (n.notificationType === 'VnfPackageChangeNotification')
    return `${n.vnfPkgId} ${n.notificationType} ${n.changeType} ${n.operationalState ?? '-'}`;
  if (n.notificationType === 'VnfPackageOnboardingNotification') return `${n.vnfPkgId} ${n.notificationType}`;
  if (n.notificationType === 'VnfLcmOperationOccurrenceNotification')
    return `${n.vnfInstanceId} ${n.operation} ${n.operationState} ${n.notificationStatus} ${n.vnfLcmOpOccId}`;
  return `${n.vnfInstanceId} ${n.notificationType}`;
}

/** The lines an op occ that completed without a hitch produces: STARTING, PROCESSING (START), COMPLETED (RESULT). */
export function completedOp(instanceId: string, op: { id: string; operation: string }): string[] {
  return [
    `${instanceId} ${op.operation} STARTING START ${op.id}`,
    `${instanceId} ${op.operation} PROCESSING START ${op.id}`,
    `${instanceId} ${op.operation} COMPLETED RESULT ${op.id}`,
  ];
}

export const created = (instanceId: string) => `${instanceId} VnfIdentifierCreationNotification`;
export const deleted = (instanceId: string) => `${instanceId} VnfIdentifierDeletionNotification`;

/** The bodies grouped by VNF instance, each group in arrival order. */
export function byInstance(got: any[]): Map<string, any[]> {
  const groups = new Map<string, any[]>();
  for (const n of got) groups.set(n.vnfInstanceId, [...(groups.get(n.vnfInstanceId) ?? []), n]);
  return groups;
}

/** First arrival of each notification id, in arrival order (at-least-once: a resend is the same id). */
export function firstArrivals(got: any[]): any[] {
  const seen = new Set<string>();
  return got.filter((n) => !seen.has(n.id) && seen.add(n.id));
}

/**
 * Makes `receiver` take notifications without answering until `release()`: what a
 * receiver looks like mid-answer to a VNFM that dies then.
 */
export function holdAnswers(receiver: Receiver) {
  let release = () => {};
  receiver.hold = new Promise<void>((resolve) => (release = resolve));
  const from = receiver.requests.length;
  return {
    /** Where the held requests begin in `receiver.requests`. */
    from,
    /** The ids taken once there are `n` different ones (a POST that timed out comes again: the same id). */
    taken: (n: number, what: string) =>
      eventually(
        what,
        async () => new Set(posted(receiver, from).map((m) => m.id)),
        (ids) => ids.size === n,
      ),
    release: () => {
      receiver.hold = undefined;
      release();
    },
  };
}

/** At-least-once after a crash: something came again, and only what was in flight (`held`). */
export function assertResentOnly(got: any[], held: Set<string>): void {
  const resent = got.filter((n, i) => got.findIndex((m) => m.id === n.id) !== i);
  assert.ok(resent.length > 0, 'the notifications in flight were sent again');
  for (const n of resent)
    assert.ok(held.has(n.id), `only a notification in flight is sent again: ${line(n)}`);
}

/** A Helm-mode instantiate (both VDUs from the package chart, helm run on the VNFM host). */
export function helmInstantiateBody(vimId: string, namespace: string): object {
  return {
    flavourId: 'helmchart',
    instantiationLevelId: 'instantiation_level_1',
    vimConnectionInfo: [{ id: 'c1', vimId, vimType: 'kubernetes' }],
    additionalParams: {
      namespace,
      use_helm: 'true',
      using_helm_install_param: ['vdu1', 'vdu2'].map((r) => ({
        exthelmchart: 'false',
        helmchartfile_path: CHART_PATH,
        helmreleasename: r,
      })),
      helm_replica_values: { vdu1_aspect: 'replicaCount', vdu2_aspect: 'replicaCount' },
      vdu_mapping: {
        VDU1: { name: 'vdu1-app', kind: 'Deployment', helmreleasename: 'vdu1' },
        VDU2: { name: 'vdu2-app', kind: 'Deployment', helmreleasename: 'vdu2' },
      },
    },
  };
}
