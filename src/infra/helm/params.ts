// Helm mode's additionalParams — the spec's table (`use_helm`, `namespace`,
// `using_helm_install_param[]`) plus the replica mapping operators send for scale
// (`helm_replica_values`, `vdu_mapping`) — parsed once into typed data. Field names
// stay those of the request, so an operator recognises them in code and errors;
// every rejection names the exact field, because a 400 must point at the typo.
//
// SOL003 v3 clients (the reference VNFM's v2 users) send another style, parsed into the
// same data: one package chart `helm_chart_path`, its values `helm_parameters` (a map,
// each value passed exactly), the replica paths by VDU `helm_value_names`
// ({VDU1: {replica: "replicaCountVdu1"}}), the release named after the instance
// (releaseNameFor), and each VDU carried by the workload whose name starts with the
// VDU's name (`vdu1-<release>`), as the reference's sample charts render them.
// One request uses one style; a mix is a 400.
import { statSync } from 'node:fs';
import { badRequest } from '../../errors.ts';
import { CsarError } from '../../packages/csar/errors.ts';
import { resolveInPackage } from '../../packages/csar/paths.ts';
import type { Flavour } from '../../packages/vnfd/index.ts';

/** One `helmparameter` entry, split at its first `=`. The key is helm's `--set` path syntax. */
export interface HelmParameter {
  key: string;
  /** The value as text; with `json`, the JSON text of a `helm_parameters` value (helm's --set-json). */
  value: string;
  json?: boolean;
}

interface InstallParamCommon {
  helmreleasename: string;
  helmparameter: HelmParameter[];
}

/** A chart shipped in the VNF package (`exthelmchart` false). */
export interface PackageChartParam extends InstallParamCommon {
  exthelmchart: false;
  /** Package-relative, as the request wrote it. */
  helmchartfile_path: string;
  /** Absolute path of the archive in the extracted package (checked to stay inside it). */
  chartFile: string;
}

/** A chart from an external repository (`exthelmchart` true). */
export interface ExternalChartParam extends InstallParamCommon {
  exthelmchart: true;
  helmrepositoryname: string;
  helmchartname: string;
  exthelmrepo_url: string;
}

export type HelmInstallParam = PackageChartParam | ExternalChartParam;

/** Workload kinds a VDU can map to in a chart; a bare Pod is not, since nothing replaces it when healed. */
export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface VduMapping {
  /** The workload's `metadata.name` as the chart renders it. */
  name: string;
  kind: WorkloadKind;
  helmreleasename: string;
}

export interface HelmParams {
  /** Which parameters the request used: v1's using_helm_install_param…, or v2's helm_chart_path… */
  style: 'v1' | 'v2';
  /** Absent: helm uses the namespace of its kubeconfig context (the chart's default, per the spec). */
  namespace?: string;
  using_helm_install_param: HelmInstallParam[];
  /** Aspect id → values path holding that aspect's replica count (`replicaCount`, `app.replicas`). */
  helm_replica_values: Record<string, string>;
  /** VDU id → the workload of a release that carries it. */
  vdu_mapping: Record<string, VduMapping>;
  /** v2: VDU id → the values path of its replica count in the one release (helm_value_names). */
  vdu_replica_values: Record<string, string>;
}

/** v1's keys and v2's: a request uses the keys of one style only. */
const V1_KEYS = ['using_helm_install_param', 'helm_replica_values', 'vdu_mapping'] as const;
/** The additionalParams keys of SOL003 v3 clients' Helm mode. */
export const V2_KEYS = ['helm_chart_path', 'helm_parameters', 'helm_value_names'] as const;

/**
 * The release of a v2-style instance: `vnf` and the instance id without its dashes, as the
 * reference VNFM names it (35 characters for a UUID, within helm's 53), so that charts whose
 * workloads are `vdu1-{{ .Release.Name }}` render the same names under both VNFMs.
 */
export function releaseNameFor(vnfInstanceId: string): string {
  return `vnf${vnfInstanceId.replace(/-/g, '')}`.toLowerCase().slice(0, MAX_RELEASE_NAME);
}

// Helm's own release-name rule (pkg/chartutil ValidateReleaseName): a DNS-1123 subdomain of at most 53
// characters, so that names derived from it (`<release>-app`) still fit Kubernetes' 63.
const RELEASE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_RELEASE_NAME = 53;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = RELEASE_NAME;
// A repository name becomes `<repo>/<chart>` on helm's command line and a key in its repositories.yaml.
const REPO_OR_CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
// A values path as helm's strvals reads a key: dotted names, optional list indexes.
const VALUES_PATH = /^[A-Za-z0-9_-]+(\[\d+\])*(\.[A-Za-z0-9_-]+(\[\d+\])*)*$/;
// All helmparameter entries of one release together. Each entry is limited by the request schema
// (HELM_PARAMETER_LIMITS); the sum is limited here because the whole helm command travels as one
// argument of the remote shell, which Linux caps at 128 KiB (MAX_ARG_STRLEN), quoting included.
export const MAX_HELM_PARAMETER_CHARS = 16 * 1024;
const HELM_SET_KEY = /^[A-Za-z0-9_\\][A-Za-z0-9_.,/\\[\]-]*$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** true, or the string "true" in any case (operators send both). */
export function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

/** Whether additionalParams select Helm mode (`use_helm` true or "true"). */
export function isHelmMode(additionalParams: Obj): boolean {
  return truthy(additionalParams.use_helm);
}

function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (v === true || v === false) return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw badRequest(`${field}: must be true or false (boolean or string), got ${show(v)}`);
}

function str(v: unknown, field: string): string {
  if (v === undefined || v === null || v === '') throw badRequest(`${field}: is required`);
  if (typeof v !== 'string') throw badRequest(`${field}: must be a string, got ${show(v)}`);
  if (CONTROL.test(v)) throw badRequest(`${field}: must not contain control characters`);
  return v;
}

function releaseName(v: unknown, field: string): string {
  const name = str(v, field);
  if (name.length > MAX_RELEASE_NAME)
    throw badRequest(`${field}: ${show(name)} is longer than ${MAX_RELEASE_NAME} characters`);
  if (!RELEASE_NAME.test(name)) {
    throw badRequest(
      `${field}: ${show(name)} is not a valid release name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)`,
    );
  }
  return name;
}

function repoUrl(v: unknown, field: string): string {
  const text = str(v, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badRequest(`${field}: ${show(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw badRequest(`${field}: must be an http or https URL, got ${show(url.protocol)}`);
  // Credentials in the URL would end up on helm's command line and in repositories.yaml.
  if (url.username || url.password) throw badRequest(`${field}: must not contain credentials`);
  if (/\s/.test(text)) throw badRequest(`${field}: must not contain whitespace`);
  return text;
}

function helmParameter(v: unknown, field: string): HelmParameter {
  if (typeof v !== 'string') throw badRequest(`${field}: must be a "key=value" string, got ${show(v)}`);
  const eq = v.indexOf('=');
  if (eq < 0) throw badRequest(`${field}: must be "key=value", got ${show(v)}`);
  const key = v.slice(0, eq);
  const value = v.slice(eq + 1);
  if (key.trim() === '') throw badRequest(`${field}: the key before '=' is empty`);
  if (CONTROL.test(key)) throw badRequest(`${field}: the key must not contain control characters`);
  // helm splits --set on unescaped commas: in a key that would silently set something else.
  if (/(^|[^\\]),/.test(key)) throw badRequest(`${field}: the key must not contain ',' (escape it as '\\,')`);
  // A values path: names, '.' between them, list indexes, '\' escapes (`podAnnotations.prometheus\.io/scrape`).
  // Nothing else has a meaning to helm, so nothing else (a shell's `$(`, a quote, a space) reaches its command line.
  if (!HELM_SET_KEY.test(key))
    throw badRequest(
      `${field}: the key ${show(key)} is not a values path (letters, digits, '_', '-', '.', '/', '\\', '[n]')`,
    );
  // A NUL cannot be passed in an argument at all.
  if (value.includes('\0')) throw badRequest(`${field}: the value must not contain a NUL character`);
  return { key, value };
}

function chartFileIn(packageRoot: string, path: string, field: string): string {
  let file: string;
  try {
    file = resolveInPackage(packageRoot, path);
  } catch (e) {
    if (e instanceof CsarError) throw badRequest(`${field}: ${e.message}`);
    throw e;
  }
  let isFile = false;
  try {
    isFile = statSync(file).isFile();
  } catch {
    throw badRequest(`${field}: ${show(path)} does not exist in the VNF package`);
  }
  if (!isFile) throw badRequest(`${field}: ${show(path)} is not a file in the VNF package`);
  return file;
}

function installParam(v: unknown, field: string, packageRoot: string): HelmInstallParam {
  if (!isObj(v)) throw badRequest(`${field}: must be an object`);
  const helmreleasename = releaseName(v.helmreleasename, `${field}.helmreleasename`);
  const rawParams = v.helmparameter ?? [];
  if (!Array.isArray(rawParams)) throw badRequest(`${field}.helmparameter: must be an array of "key=value"`);
  const helmparameter = rawParams.map((p, i) => helmParameter(p, `${field}.helmparameter[${i}]`));
  const total = helmparameter.reduce((n, p) => n + p.key.length + 1 + p.value.length, 0);
  if (total > MAX_HELM_PARAMETER_CHARS) {
    throw badRequest(
      `${field}.helmparameter: ${total} characters in all, more than ${MAX_HELM_PARAMETER_CHARS} (docs/helm-mode.md §5)`,
    );
  }
  // The spec lists exthelmchart without a default; Tacker treats an absent one as "in the package".
  if (bool(v.exthelmchart, `${field}.exthelmchart`, false)) {
    const helmrepositoryname = str(v.helmrepositoryname, `${field}.helmrepositoryname`);
    if (!REPO_OR_CHART_NAME.test(helmrepositoryname))
      throw badRequest(
        `${field}.helmrepositoryname: ${show(helmrepositoryname)} is not a valid repository name`,
      );
    const helmchartname = str(v.helmchartname, `${field}.helmchartname`);
    if (!REPO_OR_CHART_NAME.test(helmchartname))
      throw badRequest(`${field}.helmchartname: ${show(helmchartname)} is not a valid chart name`);
    const exthelmrepo_url = repoUrl(v.exthelmrepo_url, `${field}.exthelmrepo_url`);
    return {
      exthelmchart: true,
      helmreleasename,
      helmparameter,
      helmrepositoryname,
      helmchartname,
      exthelmrepo_url,
    };
  }
  const helmchartfile_path = str(v.helmchartfile_path, `${field}.helmchartfile_path`);
  const chartFile = chartFileIn(packageRoot, helmchartfile_path, `${field}.helmchartfile_path`);
  return { exthelmchart: false, helmreleasename, helmparameter, helmchartfile_path, chartFile };
}

function vduMapping(v: unknown, field: string, releases: Set<string>): VduMapping {
  if (!isObj(v)) throw badRequest(`${field}: must be an object {name, kind, helmreleasename}`);
  const name = str(v.name, `${field}.name`);
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name))
    throw badRequest(`${field}.name: ${show(name)} is not a valid Kubernetes object name`);
  const kind = str(v.kind, `${field}.kind`);
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind))
    throw badRequest(`${field}.kind: must be one of ${WORKLOAD_KINDS.join(', ')}, got ${show(kind)}`);
  const helmreleasename = str(v.helmreleasename, `${field}.helmreleasename`);
  if (!releases.has(helmreleasename)) {
    throw badRequest(
      `${field}.helmreleasename: ${show(helmreleasename)} is not one of the releases in using_helm_install_param (${[...releases].join(', ')})`,
    );
  }
  return { name, kind: kind as WorkloadKind, helmreleasename };
}

export interface ParseOptions {
  /** Root of the extracted VNF package: `helmchartfile_path` must name a file inside it. */
  packageRoot: string;
  /** The instance the parameters are for: a v2-style release is named after it. */
  vnfInstanceId?: string;
  /** When given, `vdu_mapping` VDUs and `helm_replica_values` aspects must exist in it. */
  flavour?: Flavour;
}

/** Parses and checks Helm mode's additionalParams; throws ProblemError 400 naming the field at fault. */
export function parseHelmParams(additionalParams: Obj, opts: ParseOptions): HelmParams {
  // Helm mode is also chosen without use_helm (vimType ETSINFV.HELM.V_3, the v2 keys); a use_helm given must say so.
  if (additionalParams.use_helm !== undefined && !isHelmMode(additionalParams))
    throw badRequest(`use_helm: must be true for Helm mode, got ${show(additionalParams.use_helm)}`);

  let namespace: string | undefined;
  const ns = additionalParams.namespace;
  if (ns !== undefined && ns !== null && ns !== '') {
    namespace = str(ns, 'namespace');
    if (namespace.length > 63 || !DNS1123_LABEL.test(namespace))
      throw badRequest(`namespace: ${show(namespace)} is not a valid namespace name (DNS-1123 label)`);
  }
  const v1 = V1_KEYS.filter((k) => additionalParams[k] !== undefined);
  const v2 = V2_KEYS.filter((k) => additionalParams[k] !== undefined);
  if (v1.length > 0 && v2.length > 0)
    throw badRequest(
      `${v2[0]}: the v2 Helm parameters (${V2_KEYS.join(', ')}) and v1's (${V1_KEYS.join(', ')}) cannot be mixed; this request gives ${[...v1, ...v2].join(', ')}`,
    );
  if (v2.length > 0) return parseV2(additionalParams, opts, namespace);

  const list = additionalParams.using_helm_install_param;
  if (list === undefined) throw badRequest('using_helm_install_param: is required when use_helm is true');
  if (!Array.isArray(list) || list.length === 0)
    throw badRequest('using_helm_install_param: must be a non-empty array');
  const params = list.map((p, i) => installParam(p, `using_helm_install_param[${i}]`, opts.packageRoot));
  const releases = new Set<string>();
  params.forEach((p, i) => {
    if (releases.has(p.helmreleasename)) {
      throw badRequest(
        `using_helm_install_param[${i}].helmreleasename: ${show(p.helmreleasename)} is used twice in the request`,
      );
    }
    releases.add(p.helmreleasename);
  });
  // One name, one repository: helm keeps a single URL per repository name.
  const repos = new Map<string, string>();
  params.forEach((p, i) => {
    if (!p.exthelmchart) return;
    const url = repos.get(p.helmrepositoryname);
    if (url !== undefined && url !== p.exthelmrepo_url) {
      throw badRequest(
        `using_helm_install_param[${i}].exthelmrepo_url: repository ${show(p.helmrepositoryname)} is given two URLs in the request`,
      );
    }
    repos.set(p.helmrepositoryname, p.exthelmrepo_url);
  });

  const vdu_mapping: Record<string, VduMapping> = {};
  const rawMapping = additionalParams.vdu_mapping ?? {};
  if (!isObj(rawMapping))
    throw badRequest('vdu_mapping: must be an object {VDU: {name, kind, helmreleasename}}');
  for (const [vduId, m] of Object.entries(rawMapping)) {
    if (opts.flavour && !opts.flavour.vdus.some((v) => v.id === vduId))
      throw badRequest(
        `vdu_mapping.${vduId}: flavour ${show(opts.flavour.flavourId)} has no VDU ${show(vduId)}`,
      );
    vdu_mapping[vduId] = vduMapping(m, `vdu_mapping.${vduId}`, releases);
  }

  const helm_replica_values: Record<string, string> = {};
  const rawValues = additionalParams.helm_replica_values ?? {};
  if (!isObj(rawValues)) throw badRequest('helm_replica_values: must be an object {aspectId: "values.path"}');
  for (const [aspectId, path] of Object.entries(rawValues)) {
    const field = `helm_replica_values.${aspectId}`;
    const p = str(path, field);
    if (!VALUES_PATH.test(p))
      throw badRequest(`${field}: ${show(p)} is not a values path such as "replicaCount"`);
    helm_replica_values[aspectId] = p;
    const aspect = opts.flavour?.aspects.find((a) => a.id === aspectId);
    if (opts.flavour && !aspect)
      throw badRequest(
        `${field}: flavour ${show(opts.flavour.flavourId)} has no scaling aspect ${show(aspectId)}`,
      );
    // The release to upgrade is found through vdu_mapping: each VDU the aspect scales needs an entry.
    for (const vduId of Object.keys(aspect?.vduDeltas ?? {})) {
      const m = vdu_mapping[vduId];
      if (!m) throw badRequest(`${field}: VDU ${show(vduId)} of this aspect has no vdu_mapping entry`);
      if (m.kind === 'DaemonSet')
        throw badRequest(`${field}: VDU ${show(vduId)} maps to a DaemonSet, which has no replica count`);
    }
  }
  return {
    style: 'v1',
    ...(namespace !== undefined ? { namespace } : {}),
    using_helm_install_param: params,
    helm_replica_values,
    vdu_mapping,
    vdu_replica_values: {},
  };
}

/**
 * One helm_parameters entry: the key a values path as helm reads --set keys (so `service.port`
 * nests, as the reference's clients expect), the value kept as JSON text for `--set-json`, which
 * decodes it as JSON and nothing else — commas, '=', dots and quotes in a value reach the chart
 * exactly, and numbers and booleans keep their type (unlike --set, which splits and re-types).
 */
function jsonParameter(key: string, value: unknown, field: string): HelmParameter {
  if (key.trim() === '') throw badRequest(`${field}: the key is empty`);
  if (/(^|[^\\]),/.test(key) || !HELM_SET_KEY.test(key))
    throw badRequest(
      `${field}: the key ${show(key)} is not a values path (letters, digits, '_', '-', '.', '/', '\\', '[n]')`,
    );
  if (value === undefined) throw badRequest(`${field}: has no value`);
  const text = JSON.stringify(value);
  if (text.includes('\\u0000')) throw badRequest(`${field}: the value must not contain a NUL character`);
  return { key, value: text, json: true };
}

/** The v2 style: one package chart, released under the instance's name. */
function parseV2(additionalParams: Obj, opts: ParseOptions, namespace: string | undefined): HelmParams {
  const path = str(additionalParams.helm_chart_path, 'helm_chart_path');
  const chartFile = chartFileIn(opts.packageRoot, path, 'helm_chart_path');
  const rawParams = additionalParams.helm_parameters ?? {};
  if (!isObj(rawParams)) throw badRequest('helm_parameters: must be an object {"values.path": value}');
  const helmparameter = Object.entries(rawParams).map(([k, v]) =>
    jsonParameter(k, v, `helm_parameters.${k}`),
  );
  const total = helmparameter.reduce((n, p) => n + p.key.length + 1 + p.value.length, 0);
  if (total > MAX_HELM_PARAMETER_CHARS)
    throw badRequest(
      `helm_parameters: ${total} characters in all, more than ${MAX_HELM_PARAMETER_CHARS} (docs/helm-mode.md §5)`,
    );
  const rawNames = additionalParams.helm_value_names ?? {};
  if (!isObj(rawNames))
    throw badRequest('helm_value_names: must be an object {VDU: {replica: "values.path"}}');
  const vdu_replica_values: Record<string, string> = {};
  for (const [vduId, names] of Object.entries(rawNames)) {
    const field = `helm_value_names.${vduId}`;
    if (opts.flavour && !opts.flavour.vdus.some((v) => v.id === vduId))
      throw badRequest(`${field}: flavour ${show(opts.flavour.flavourId)} has no VDU ${show(vduId)}`);
    if (!isObj(names)) throw badRequest(`${field}: must be an object {replica: "values.path"}`);
    for (const k of Object.keys(names))
      if (k !== 'replica') throw badRequest(`${field}.${k}: unknown (helm_value_names takes replica)`);
    if (names.replica === undefined) continue;
    const p = str(names.replica, `${field}.replica`);
    if (!VALUES_PATH.test(p))
      throw badRequest(`${field}.replica: ${show(p)} is not a values path such as "replicaCount"`);
    vdu_replica_values[vduId] = p;
  }
  if (!opts.vnfInstanceId) throw new Error('a v2-style release is named after its instance: no id given');
  const helmreleasename = releaseNameFor(opts.vnfInstanceId);
  return {
    style: 'v2',
    ...(namespace !== undefined ? { namespace } : {}),
    using_helm_install_param: [
      { exthelmchart: false, helmreleasename, helmparameter, helmchartfile_path: path, chartFile },
    ],
    helm_replica_values: {},
    vdu_mapping: {},
    vdu_replica_values,
  };
}

/**
 * The VDU a workload name carries in the v2 style: the VDU whose name is the workload's, or
 * its longest prefix followed by '-' (`vdu1-vnf0a1b…` is VDU1's when VDU1's name is `vdu1`).
 */
export function vduByNamePrefix(flavour: Flavour, workloadName: string): string | undefined {
  let best: { id: string; len: number } | undefined;
  for (const v of flavour.vdus) {
    if (!v.name) continue;
    const hit = workloadName === v.name || workloadName.startsWith(`${v.name}-`);
    if (hit && (!best || v.name.length > best.len)) best = { id: v.id, len: v.name.length };
  }
  return best?.id;
}

/**
 * The values path holding the replicas of `vduId`, and the release it belongs to: the
 * helm_replica_values entry of an aspect that scales the VDU, with vdu_mapping naming the
 * release. Undefined when the VDU's replicas are not exposed as a value (then the driver
 * sets them on the workload through the Kubernetes API).
 */
export function replicaValueOf(
  params: HelmParams,
  flavour: Flavour,
  vduId: string,
): { path: string; release: string } | undefined {
  if (params.style === 'v2') {
    const path = params.vdu_replica_values[vduId];
    const release = params.using_helm_install_param[0]?.helmreleasename;
    return path !== undefined && release !== undefined ? { path, release } : undefined;
  }
  const mapping = params.vdu_mapping[vduId];
  if (!mapping) return undefined;
  for (const [aspectId, path] of Object.entries(params.helm_replica_values)) {
    const aspect = flavour.aspects.find((a) => a.id === aspectId);
    if (aspect && Object.hasOwn(aspect.vduDeltas, vduId)) return { path, release: mapping.helmreleasename };
  }
  return undefined;
}
