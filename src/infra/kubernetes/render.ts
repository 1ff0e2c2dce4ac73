// From a manifest object to the object applied for one VNF instance: the
// instance label on the object and on its pod template (so every pod of the
// instance can be found by label, whatever created it), and the VDU's replicas.
// The manifest's own labels and fields are kept as written.
import { badRequest } from '../../errors.ts';
import type { ManifestEntry, ManifestObject, Manifests } from './manifests.ts';

/** Label on every object (and pod) the driver creates for a VNF instance. */
export const INSTANCE_LABEL = 'vnfm.etsi.org/vnf-instance-id';

export const instanceSelector = (vnfInstanceId: string) => `${INSTANCE_LABEL}=${vnfInstanceId}`;

export interface RenderedEntry extends ManifestEntry {
  /** The VDU this object is the workload of, if any. */
  vduId?: string;
}

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function labelled(metadata: Record<string, unknown>, vnfInstanceId: string): Record<string, unknown> {
  const labels = isMap(metadata.labels) ? metadata.labels : {};
  return { ...metadata, labels: { ...labels, [INSTANCE_LABEL]: vnfInstanceId } };
}

/**
 * Checks `replicas` against the VDU workloads (400 before anything is touched):
 * a bare Pod is always one instance. A DaemonSet runs one pod per node, so the
 * number given for it (the engine gives one for every VDU) is left unused.
 */
export function checkReplicas(m: Manifests, replicas: Record<string, number>): void {
  for (const [vduId, n] of Object.entries(replicas)) {
    const entry = m.vduWorkloads[vduId];
    if (!entry) throw badRequest(`replicas given for ${vduId}, which is not a VDU of the flavour`);
    if (!Number.isInteger(n) || n < 0)
      throw badRequest(`replicas for VDU ${vduId} must be a whole number ≥ 0, not ${n}`);
    const kind = entry.object.kind;
    if (kind === 'Pod' && n !== 1) {
      throw badRequest(
        `VDU ${vduId} is the bare Pod ${entry.object.metadata.name}: it has exactly 1 instance, not ${n}`,
      );
    }
  }
}

/** The objects to apply for the instance, each a fresh copy of its manifest object. */
export function render(
  m: Manifests,
  vnfInstanceId: string,
  replicas: Record<string, number>,
): RenderedEntry[] {
  const vduOf = new Map<ManifestEntry, string>(
    Object.entries(m.vduWorkloads).map(([vduId, e]) => [e, vduId]),
  );
  return m.entries.map((entry) => {
    const o = structuredClone(entry.object) as ManifestObject;
    o.metadata = labelled(o.metadata, vnfInstanceId) as ManifestObject['metadata'];
    const spec = o.spec;
    if (isMap(spec) && isMap(spec.template)) {
      spec.template = {
        ...spec.template,
        metadata: labelled(isMap(spec.template.metadata) ? spec.template.metadata : {}, vnfInstanceId),
      };
    }
    const vduId = vduOf.get(entry);
    const n = vduId === undefined ? undefined : replicas[vduId];
    if (n !== undefined && isMap(spec) && o.kind !== 'DaemonSet' && o.kind !== 'Pod') spec.replicas = n;
    return { object: o, source: entry.source, ...(vduId ? { vduId } : {}) };
  });
}
