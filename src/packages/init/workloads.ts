// What a chart deploys, as `vnfm package init` maps it to VDUs: the workloads it
// renders (hooks such as `helm test` pods aside), and for each the values key that
// sets its replicas — found by rendering the chart again with that key changed,
// so a key counts only if the chart really feeds it into the workload.
import { WORKLOAD_KINDS, type WorkloadKind } from '../../infra/helm/params.ts';
import { type Helm, renderChart } from './helm-render.ts';

export interface Workload {
  kind: WorkloadKind;
  name: string;
  /** spec.replicas as rendered with the chart's values (1 when the chart leaves it out); undefined for a DaemonSet. */
  replicas?: number;
  /** The values path that sets spec.replicas, when one does. */
  replicaValue?: string;
}

type Manifest = Record<string, unknown>;

const isKind = (k: unknown): k is WorkloadKind => WORKLOAD_KINDS.includes(k as WorkloadKind);
const meta = (m: Manifest) => (m.metadata ?? {}) as { name?: unknown; annotations?: Record<string, unknown> };
const key = (w: { kind: string; name: string }) => `${w.kind}/${w.name}`;

export function workloadsOf(manifests: readonly Manifest[]): Workload[] {
  const out: Workload[] = [];
  for (const m of manifests) {
    if (!isKind(m.kind) || typeof meta(m).name !== 'string') continue;
    if (meta(m).annotations?.['helm.sh/hook'] !== undefined) continue;
    const spec = (m.spec ?? {}) as { replicas?: unknown };
    const w: Workload = { kind: m.kind, name: meta(m).name as string };
    if (m.kind !== 'DaemonSet') w.replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    out.push(w);
  }
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Values paths of numeric leaves named like a replica count (`replicaCount`, `web.replicas`). */
export function replicaCandidates(values: unknown, prefix = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (!/^[A-Za-z0-9_-]+$/.test(k)) continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isInteger(v) && /replica/i.test(k)) out.push(path);
    else out.push(...replicaCandidates(v, path));
  }
  return out;
}

/** The chart's workloads with their replica values. */
export async function chartWorkloads(
  helm: Helm,
  chart: string,
  release: string,
  values: unknown,
): Promise<Workload[]> {
  const workloads = workloadsOf(await renderChart(helm, chart, release));
  for (const path of replicaCandidates(values)) {
    // A count no chart defaults to, so a workload showing it took it from this key.
    const probe = 7919;
    const changed = workloadsOf(await renderChart(helm, chart, release, { [path]: String(probe) }));
    for (const w of workloads) {
      if (w.replicaValue || w.replicas === undefined) continue;
      if (changed.find((c) => key(c) === key(w))?.replicas === probe) w.replicaValue = path;
    }
  }
  return workloads;
}
