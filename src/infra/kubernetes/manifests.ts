// Manifest mode's input: `additionalParams['lcm-kubernetes-def-files']` (package-relative
// YAML files, possibly multi-document) and `additionalParams.namespace`, read and
// checked before anything touches the cluster. The files come from an untrusted
// package, so paths stay inside it and size and YAML aliases are bounded. Every
// check fails with a 400 whose detail names the parameter, file or VDU concerned.
import { readBoundedText } from '../../packages/csar/bounded-read.ts';
import { CLUSTER_SCOPED } from './kinds.ts';
import { isPair, isScalar, parseAllDocuments, visit } from 'yaml';
import { badRequest } from '../../errors.ts';
import { CsarError } from '../../packages/csar/errors.ts';
import { resolveInPackage } from '../../packages/csar/paths.ts';
import type { Flavour } from '../../packages/vnfd/index.ts';
import type { InfraContext } from '../driver.ts';
import { isWorkloadKind, WORKLOAD_KINDS } from './workloads.ts';
import type { WorkloadRef } from './state.ts';

export const DEF_FILES_PARAM = 'lcm-kubernetes-def-files';
/** Largest manifest file accepted; real ones are a few KiB. */
export const MAX_MANIFEST_FILE_BYTES = 4 * 1024 * 1024;
/** Alias expansions allowed per document: manifests rarely use anchors, a YAML bomb needs thousands. */
export const MAX_ALIAS_COUNT = 50;
/** Objects allowed across all files of one instance. */
export const MAX_OBJECTS = 1000;

/** A Kubernetes object as written in a manifest (plain JSON data). */
export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ManifestEntry {
  object: ManifestObject;
  /** `"Files/kubernetes/a.yaml" document 2`: where error messages send the reader. */
  source: string;
}

export interface Manifests {
  entries: ManifestEntry[];
  /** The namespace namespaced objects go to: additionalParams.namespace > the manifests' one > 'default'. */
  namespace: string;
  /** VDU id → its workload's entry. */
  vduWorkloads: Record<string, ManifestEntry>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const isDnsLabel = (s: string) => s.length <= 63 && DNS_LABEL.test(s);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const q = (s: string) => JSON.stringify(s);

/** Loads and checks the manifests of `ctx` (throws ProblemError 400). Reads only the package. */
export function loadManifests(
  ctx: Pick<InfraContext, 'packageRoot' | 'additionalParams' | 'flavour'>,
): Manifests {
  const params = ctx.additionalParams;
  const files = params[DEF_FILES_PARAM];
  if (files === undefined) {
    throw badRequest(
      `additionalParams.${DEF_FILES_PARAM} is required in Kubernetes manifest mode (a list of package paths)`,
    );
  }
  if (!Array.isArray(files) || files.length === 0) {
    throw badRequest(`additionalParams.${DEF_FILES_PARAM} must be a non-empty list of package paths`);
  }
  const nsParam = params.namespace;
  if (nsParam !== undefined && (typeof nsParam !== 'string' || !isDnsLabel(nsParam))) {
    throw badRequest(
      `additionalParams.namespace ${JSON.stringify(nsParam)} is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and '-', at most 63)`,
    );
  }

  const entries: ManifestEntry[] = [];
  files.forEach((f: unknown, i) => {
    const param = `additionalParams.${DEF_FILES_PARAM}[${i}]`;
    if (typeof f !== 'string') throw badRequest(`${param} must be a string (a package path)`);
    let abs: string;
    try {
      abs = resolveInPackage(ctx.packageRoot, f);
    } catch (err) {
      if (err instanceof CsarError) throw badRequest(`${param}: ${err.message}`);
      throw err;
    }
    for (const entry of parseManifestFile(readManifestFile(abs, f, param), f)) {
      if (entries.length >= MAX_OBJECTS) {
        throw badRequest(`additionalParams.${DEF_FILES_PARAM}: more than ${MAX_OBJECTS} objects`);
      }
      entries.push(entry);
    }
  });
  if (entries.length === 0) {
    throw badRequest(`additionalParams.${DEF_FILES_PARAM}: the files hold no Kubernetes object`);
  }
  rejectDuplicates(entries);
  const namespace = typeof nsParam === 'string' ? nsParam : manifestNamespace(entries);
  return { entries, namespace, vduWorkloads: mapVdus(ctx.flavour, entries) };
}

function readManifestFile(abs: string, name: string, param: string): string {
  const r = readBoundedText(abs, MAX_MANIFEST_FILE_BYTES);
  if ('text' in r) return r.text;
  throw badRequest(
    `${param}: ${q(name)} ${r.refused === 'missing' ? 'does not exist in the package' : r.detail}`,
  );
}

const firstLine = (s: string) => (s.split('\n')[0] ?? '').trim();

/** The objects of one file, in order; empty documents are skipped and `kind: *List` documents expanded. */
export function parseManifestFile(text: string, name: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true });
  docs.forEach((doc, i) => {
    const where = `${q(name)} document ${i + 1}`;
    const first = doc.errors[0];
    if (first) throw badRequest(`${where}: invalid YAML: ${firstLine(first.message)}`);
    let data: unknown;
    try {
      visit(doc, {
        Pair(_, pair) {
          // toJS would turn this key into the object's prototype.
          if (isPair(pair) && isScalar(pair.key) && pair.key.value === '__proto__') {
            throw new Error('the key "__proto__" is not allowed');
          }
        },
      });
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // yaml throws ReferenceError for alias bombs; deep nesting may overflow the stack.
      throw badRequest(
        `${where}: invalid YAML: ${firstLine(err instanceof Error ? err.message : String(err))}`,
      );
    }
    if (data === null || data === undefined) return;
    if (
      isMap(data) &&
      typeof data.kind === 'string' &&
      data.kind.endsWith('List') &&
      Array.isArray(data.items)
    ) {
      data.items.forEach((item, j) =>
        out.push({ object: checkObject(item, `${where} item ${j + 1}`), source: where }),
      );
      return;
    }
    out.push({ object: checkObject(data, where), source: where });
  });
  return out;
}

function checkObject(v: unknown, where: string): ManifestObject {
  if (!isMap(v)) throw badRequest(`${where} is not a Kubernetes object (a YAML mapping)`);
  for (const key of ['apiVersion', 'kind'] as const) {
    if (typeof v[key] !== 'string' || v[key] === '') throw badRequest(`${where} has no ${key}`);
  }
  const md = v.metadata;
  if (!isMap(md) || typeof md.name !== 'string' || md.name === '') {
    throw badRequest(`${where} (${v.kind as string}) has no metadata.name`);
  }
  const label = `${where} (${v.kind as string} ${md.name})`;
  if (md.namespace !== undefined && (typeof md.namespace !== 'string' || !isDnsLabel(md.namespace))) {
    throw badRequest(
      `${label}: metadata.namespace ${JSON.stringify(md.namespace)} is not a valid namespace name`,
    );
  }
  if (
    md.labels !== undefined &&
    (!isMap(md.labels) || !Object.values(md.labels).every((l) => typeof l === 'string'))
  ) {
    throw badRequest(`${label}: metadata.labels must map names to strings`);
  }
  return v as ManifestObject;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

function rejectDuplicates(entries: ManifestEntry[]): void {
  const seen = new Map<string, string>();
  for (const { object: o, source } of entries) {
    const key = `${groupOf(o.apiVersion)}|${o.kind}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    const prev = seen.get(key);
    if (prev) throw badRequest(`${o.kind} ${q(o.metadata.name)} is defined twice: in ${prev} and ${source}`);
    seen.set(key, source);
  }
}

/** The one namespace the manifests name, or 'default'; objects of one VNF instance share a namespace. */
function manifestNamespace(entries: ManifestEntry[]): string {
  const named = new Set(
    entries
      .filter((e) => !CLUSTER_SCOPED.has(e.object.kind) && e.object.metadata.namespace)
      .map((e) => e.object.metadata.namespace as string),
  );
  if (named.size > 1) {
    throw badRequest(
      `the manifests name more than one namespace (${[...named].sort().join(', ')}); use one, or set additionalParams.namespace`,
    );
  }
  return [...named][0] ?? 'default';
}

/** VDU id → its workload: the workload-kind object whose metadata.name is the VDU's `name`. */
function mapVdus(flavour: Flavour, entries: ManifestEntry[]): Record<string, ManifestEntry> {
  const out: Record<string, ManifestEntry> = {};
  for (const vdu of flavour.vdus) {
    const matches = entries.filter(
      (e) => isWorkloadKind(e.object.kind) && e.object.metadata.name === vdu.name,
    );
    const vduName = `VDU ${vdu.id} (name ${q(vdu.name)})`;
    const kinds = Object.keys(WORKLOAD_KINDS).join(', ');
    if (matches.length === 0) {
      throw badRequest(`${vduName} has no workload (${kinds}) named ${q(vdu.name)} in the manifests`);
    }
    if (matches.length > 1) {
      const found = matches.map((m) => `${m.object.kind} in ${m.source}`).join(', ');
      throw badRequest(`${vduName} matches more than one workload: ${found}`);
    }
    const entry = matches[0] as ManifestEntry;
    const o = entry.object;
    const want = WORKLOAD_KINDS[o.kind];
    if (o.apiVersion !== want) {
      throw badRequest(
        `${vduName}: ${o.kind} in ${entry.source} has apiVersion ${q(o.apiVersion)}, not ${q(want ?? '')}`,
      );
    }
    const spec = o.spec;
    if (o.kind !== 'Pod' && !(isMap(spec) && isMap(spec.selector))) {
      throw badRequest(`${vduName}: ${o.kind} in ${entry.source} has no spec.selector`);
    }
    out[vdu.id] = entry;
  }
  return out;
}

/** Each VDU's workload as the state records it, in `namespace`: known before anything is applied. */
export function vduRefs(m: Pick<Manifests, 'vduWorkloads'>, namespace: string): Record<string, WorkloadRef> {
  const refs: Record<string, WorkloadRef> = {};
  for (const [vduId, { object: o }] of Object.entries(m.vduWorkloads)) {
    refs[vduId] = { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace };
  }
  return refs;
}
