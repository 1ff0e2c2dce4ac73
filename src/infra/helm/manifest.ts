// `helm get manifest` → the resources of a release, as the spec asks them stored
// ("Store deployed Kubernetes resources info in Helm chart to Database"). Helm
// prints the rendered documents as one multi-document YAML stream.
import { parseAllDocuments } from 'yaml';
import { CLUSTER_SCOPED } from '../kubernetes/kinds.ts';
import { HelmError } from './errors.ts';
import type { ResourceRecord } from './state.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseManifest(text: string, release: string, namespace: string): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  const add = (o: unknown) => {
    if (!isObj(o)) return;
    if (o.kind === 'List' && Array.isArray(o.items)) return o.items.forEach(add);
    const meta = isObj(o.metadata) ? o.metadata : {};
    if (typeof o.kind !== 'string' || typeof meta.name !== 'string') return;
    const r: ResourceRecord = {
      apiVersion: typeof o.apiVersion === 'string' ? o.apiVersion : '',
      kind: o.kind,
      name: meta.name,
      release,
    };
    if (!CLUSTER_SCOPED.has(o.kind))
      r.namespace = typeof meta.namespace === 'string' ? meta.namespace : namespace;
    out.push(r);
  };
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new HelmError(`manifest of release ${release} is not valid YAML: ${doc.errors[0]?.message}`);
    add(doc.toJS());
  }
  return out;
}
