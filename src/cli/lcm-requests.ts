// The request bodies of `vnfm vnf …`: read from `-f FILE` (JSON or YAML, '-' for stdin)
// and/or built from flags for the common cases. Flags are laid over the file's body, so
// a file can hold what rarely changes (vdu_mapping, helm_replica_values) and flags the
// rest (the VIM, the chart, values). Only the shape is checked here; the VNFM checks the
// content and answers 400 naming the field.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { oneLine } from './vnfm-client.ts';

export type Body = Record<string, unknown>;

/** The mapping in `file` ('-': stdin), or {} without one. */
export function readBodyFile(file: string | undefined, flag = '-f'): Body {
  if (file === undefined) return {};
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new Error(`${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (e) {
    // The YAML parser's message quotes the offending lines below its first one.
    throw new Error(
      `${flag} ${file}: not YAML or JSON: ${oneLine((e as Error).message.split('\n')[0] ?? '').replace(/:$/, '')}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${flag} ${file}: must hold a mapping (the request body)`);
  }
  return value as Body;
}

/** commander's collector for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** `key=value` → [key, value], split at the first '='. */
export function pair(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`${flag}: '${oneLine(text, 100)}' is not key=value`);
  return [text.slice(0, at), text.slice(at + 1)];
}

/** A whole number ≥ `min` given to `flag`. */
export function count(text: string, flag: string, min = 0): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min)
    throw new Error(`${flag}: '${oneLine(text, 40)}' is not a whole number ≥ ${min}`);
  return n;
}

function mapping(value: unknown, where: string): Body {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`${where} in the file must be a mapping`);
  return value as Body;
}

export interface CreateFlags {
  vnfdId?: string;
  name?: string;
  description?: string;
  metadata?: string[];
}

/** The name, description and metadata flags, laid over `file` (create and update take them alike). */
function withInfo(file: Body, f: Omit<CreateFlags, 'vnfdId'>): Body {
  const body: Body = { ...file };
  if (f.name !== undefined) body.vnfInstanceName = f.name;
  if (f.description !== undefined) body.vnfInstanceDescription = f.description;
  if (f.metadata?.length)
    body.metadata = {
      ...mapping(body.metadata, 'metadata'),
      ...Object.fromEntries(f.metadata.map((m) => pair(m, '--metadata'))),
    };
  return body;
}

/** CreateVnfRequest (SOL003 §5.5.2.3). */
export function createBody(file: Body, f: CreateFlags): Body {
  const body = withInfo(f.vnfdId !== undefined ? { ...file, vnfdId: f.vnfdId } : file, f);
  if (body.vnfdId === undefined) throw new Error('give --vnfd-id (or vnfdId in -f FILE)');
  return body;
}

/** VnfInfoModificationRequest: a JSON Merge Patch of the instance. */
export function updateBody(file: Body, f: Omit<CreateFlags, 'vnfdId'>): Body {
  const body = withInfo(file, f);
  if (Object.keys(body).length === 0)
    throw new Error('nothing to change: give --name, --description, --metadata or -f FILE');
  return body;
}

export interface InstantiateFlags {
  flavour?: string;
  vim?: string;
  helmChart?: string[];
  release?: string[];
  set?: string[];
  manifest?: string[];
  namespace?: string;
  instantiationLevel?: string;
}

/** `app-0.1.0.tgz` → `app`: the default release name of a chart archive given by path. */
export function releaseNameOf(chartPath: string): string {
  const base = chartPath.split('/').pop() ?? chartPath;
  return base.replace(/\.(tgz|tar\.gz)$/, '').replace(/-v?\d+(\.\d+)*([-+][0-9A-Za-z.-]*)?$/, '');
}

/**
 * InstantiateVnfRequest. `--helm-chart PATH` (repeatable) adds one release of a chart in
 * the package each (Helm mode), named by the `--release` at the same position or after
 * the archive (`app-0.1.0.tgz` → `app`); `--set key=value` goes to every release the
 * flags add, `--set RELEASE:key=value` to that release only (a values path has no ':').
 * `--manifest PATH` (repeatable) lists manifest-mode files (lcm-kubernetes-def-files).
 */
export function instantiateBody(file: Body, f: InstantiateFlags): Body {
  const body: Body = { ...file };
  if (f.flavour !== undefined || body.flavourId === undefined) body.flavourId = f.flavour ?? 'simple';
  if (f.instantiationLevel !== undefined) body.instantiationLevelId = f.instantiationLevel;
  if (f.vim !== undefined) body.vimConnectionInfo = [{ id: 'vim-0', vimId: f.vim, vimType: 'kubernetes' }];
  const params: Body = { ...mapping(body.additionalParams, 'additionalParams') };
  if (f.namespace !== undefined) params.namespace = f.namespace;
  const charts = f.helmChart ?? [];
  const releases = f.release ?? [];
  if (releases.length > charts.length) throw new Error('--release: one per --helm-chart, in the same order');
  const sets = f.set ?? [];
  if (sets.length && !charts.length)
    throw new Error('--set needs --helm-chart (values of releases given in -f go in its helmparameter)');
  if (charts.length) {
    const added = charts.map((path, i) => ({
      exthelmchart: 'false',
      helmchartfile_path: path,
      helmreleasename: releases[i] ?? releaseNameOf(path),
      helmparameter: [] as string[],
    }));
    const names = new Set(added.map((r) => r.helmreleasename));
    for (const s of sets) {
      const [key, value] = pair(s, '--set');
      const colon = key.indexOf(':');
      const target = colon >= 0 ? key.slice(0, colon) : undefined;
      if (target !== undefined && !names.has(target))
        throw new Error(
          `--set ${oneLine(s, 100)}: no --helm-chart release is named '${oneLine(target, 60)}'`,
        );
      const setting = `${colon >= 0 ? key.slice(colon + 1) : key}=${value}`;
      for (const r of added)
        if (target === undefined || r.helmreleasename === target) r.helmparameter.push(setting);
    }
    const existing = params.using_helm_install_param ?? [];
    if (!Array.isArray(existing))
      throw new Error('additionalParams.using_helm_install_param in the file must be a list');
    params.use_helm = 'true';
    params.using_helm_install_param = [
      ...existing,
      ...added.map(({ helmparameter, ...r }) => (helmparameter.length ? { ...r, helmparameter } : r)),
    ];
  }
  if (f.manifest?.length) {
    const existing = params['lcm-kubernetes-def-files'] ?? [];
    if (!Array.isArray(existing))
      throw new Error('additionalParams.lcm-kubernetes-def-files in the file must be a list');
    params['lcm-kubernetes-def-files'] = [...existing, ...f.manifest];
  }
  if (Object.keys(params).length) body.additionalParams = params;
  return body;
}

export interface ScaleFlags {
  aspect?: string;
  steps?: string;
  in?: boolean;
  out?: boolean;
}

/** ScaleVnfRequest: `--out` or `--in` (one of them), `--aspect`, `--steps` (default 1). */
export function scaleBody(file: Body, f: ScaleFlags): Body {
  const body: Body = { ...file };
  if (f.in && f.out) throw new Error('give --in or --out, not both');
  if (f.in) body.type = 'SCALE_IN';
  if (f.out) body.type = 'SCALE_OUT';
  if (f.aspect !== undefined) body.aspectId = f.aspect;
  if (f.steps !== undefined) body.numberOfSteps = count(f.steps, '--steps', 1);
  if (body.type === undefined) throw new Error('give --out or --in');
  if (body.aspectId === undefined) throw new Error('give --aspect');
  return body;
}

/** ScaleVnfToLevelRequest: `--level ID` or `--aspect-level ASPECT=LEVEL` (repeatable). */
export function scaleToLevelBody(file: Body, f: { level?: string; aspectLevel?: string[] }): Body {
  const body: Body = { ...file };
  if (f.level !== undefined) body.instantiationLevelId = f.level;
  if (f.aspectLevel?.length) {
    body.scaleInfo = f.aspectLevel.map((a) => {
      const [aspectId, level] = pair(a, '--aspect-level');
      return { aspectId, scaleLevel: count(level, `--aspect-level ${aspectId}`) };
    });
  }
  if (body.instantiationLevelId === undefined && body.scaleInfo === undefined)
    throw new Error('give --level or --aspect-level');
  return body;
}

/** HealVnfRequest: `--vnfc ID` (repeatable; none: the whole VNF), `--cause`. */
export function healBody(file: Body, f: { vnfc?: string[]; cause?: string }): Body {
  const body: Body = { ...file };
  if (f.vnfc?.length) body.vnfcInstanceId = f.vnfc;
  if (f.cause !== undefined) body.cause = f.cause;
  return body;
}

/** TerminateVnfRequest: FORCEFUL unless `--graceful` (then `--timeout` seconds). */
export function terminateBody(file: Body, f: { graceful?: boolean; timeout?: string }): Body {
  const body: Body = { ...file };
  if (f.timeout !== undefined && !f.graceful) throw new Error('--timeout needs --graceful');
  if (f.graceful) body.terminationType = 'GRACEFUL';
  if (f.timeout !== undefined) body.gracefulTerminationTimeout = count(f.timeout, '--timeout');
  body.terminationType ??= 'FORCEFUL';
  return body;
}
