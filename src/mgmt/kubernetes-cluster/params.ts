// additionalParams.k8s_cluster_installation_param, the shape of the spec's sample (and of
// Tacker's kubernetes_mgmt sample), read strictly into typed data. Every value here ends
// up in a params file a script on the hosts reads, or names a package file that will be
// copied there: a value that is not exactly what its field means is a 400 naming the
// field, before any host is touched.
import { isIPv4, isIPv6 } from 'node:net';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { badRequest } from '../../errors.ts';
import { unsafePathReason } from '../../packages/csar/paths.ts';
import type { Flavour } from '../../packages/vnfd/index.ts';

export const PARAM = 'k8s_cluster_installation_param';

const NAME = 255;
const URL = 2048;
const PASSWORD = 1024;
// No control characters, no leading '-' (a value never reads as an option to anything).
const PLAIN = '^[^\\u0000-\\u001f\\u007f-][^\\u0000-\\u001f\\u007f]*$';
const Plain = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: PLAIN });
// A TOSCA node/cpd/aspect id.
const Ident = () => Type.String({ minLength: 1, maxLength: NAME, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*$' });
const PackagePath = () => Type.String({ minLength: 1, maxLength: 1024 });
// Unix user names as useradd takes them (and ssh sends them).
const UserName = () =>
  Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?$' });
const Cidr = () => Type.String({ minLength: 1, maxLength: 64 });

const nodeFields = {
  aspect_id: Type.Optional(Ident()),
  vdu_id: Type.Optional(Ident()),
  ssh_cp_name: Ident(),
  nic_cp_name: Type.Optional(Ident()),
  username: Type.Optional(UserName()),
  password: Type.Optional(Type.String({ minLength: 1, maxLength: PASSWORD })),
};

export const ClusterParamSchema = Type.Object(
  {
    script_path: PackagePath(),
    vim_name: Type.Optional(Plain(NAME)),
    master_node: Type.Object(
      {
        ...nodeFields,
        pod_cidr: Type.Optional(Cidr()),
        cluster_cidr: Type.Optional(Cidr()),
        cluster_cp_name: Type.Optional(Ident()),
      },
      { additionalProperties: false },
    ),
    worker_node: Type.Optional(Type.Object(nodeFields, { additionalProperties: false })),
    proxy: Type.Optional(
      Type.Object(
        {
          http_proxy: Type.Optional(Type.String({ maxLength: URL })),
          https_proxy: Type.Optional(Type.String({ maxLength: URL })),
          no_proxy: Type.Optional(Type.String({ maxLength: URL, pattern: '^[A-Za-z0-9.:/,*_\\[\\]-]*$' })),
          // Tacker's: the nodes' own network, which the scripts add to no_proxy.
          k8s_node_cidr: Type.Optional(Cidr()),
        },
        { additionalProperties: false },
      ),
    ),
    helm_installation_script_path: Type.Optional(PackagePath()),
    helm_archive: Type.Optional(
      Type.Object(
        {
          path: Type.String({ minLength: 2, maxLength: 1024, pattern: '^/[^\\u0000-\\u001f\\u007f]*$' }),
          sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
type RawParams = Static<typeof ClusterParamSchema>;

/** One role's nodes (masters or workers) as the request describes them. */
export interface NodeParams {
  /** The VDU whose VNFCs have this role (`vdu_id`, or the one VDU `aspect_id` scales). */
  vduId: string;
  aspectId?: string;
  ssh_cp_name: string;
  nic_cp_name?: string;
  username?: string;
  /** A secret: never logged; only used to log in to this role's hosts. */
  password?: string;
}

export interface MasterParams extends NodeParams {
  pod_cidr?: string;
  cluster_cidr?: string;
  cluster_cp_name?: string;
}

export interface ClusterParams {
  script_path: string;
  vim_name?: string;
  master: MasterParams;
  worker?: NodeParams;
  /** Passed to every init and join (each node's proxy); `k8s_node_cidr` belongs in no_proxy. */
  proxy?: { http_proxy?: string; https_proxy?: string; no_proxy?: string; k8s_node_cidr?: string };
  helm_installation_script_path?: string;
  helm_archive?: { path: string; sha256: string };
}

const field = (path: string) => `additionalParams.${PARAM}${path.replace(/\//g, '.')}`;

/** A CIDR as kubeadm takes it: an IPv4 or IPv6 address, '/', a prefix length in range (nothing else). */
export function validCidr(text: string): boolean {
  const m = /^([0-9A-Fa-f:.]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const bits = isIPv4(m[1]!) ? 32 : isIPv6(m[1]!) ? 128 : 0;
  return bits > 0 && !/^0\d/.test(m[2]!) && Number(m[2]) <= bits;
}

/** `value` when it is a CIDR, else a 400 naming the field. */
function cidr(value: string, name: string): string {
  if (!validCidr(value))
    throw badRequest(
      `${field(name)} must be a CIDR (address/prefix), got ${JSON.stringify(value.slice(0, 64))}`,
    );
  return value;
}

/**
 * A proxy URL: http(s)://[user[:password]@]host[:port][/path], nothing a shell or an env file
 * would read differently. Checked by shape, not by URL(): the spec's own sample writes
 * `host1:port1`, a placeholder URL() refuses.
 */
const PROXY_URL = /^https?:\/\/(?:([^@/:]+)(?::([^@/]*))?@)?[A-Za-z0-9._\-[\]:]+(?:\/[^]*)?$/;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const PROXY_FORBIDDEN = /[\s\u0000-\u001f\u007f'"`$\\;&|<>(){}]/;
const validProxyUrl = (text: string) => text === '' || (!PROXY_FORBIDDEN.test(text) && PROXY_URL.test(text));

function packagePath(value: string, name: string): string {
  const why = unsafePathReason(value);
  if (why) throw badRequest(`${field(name)} must be a path inside the package: ${why}`);
  return value
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

/** The VDU a role's nodes belong to: `vdu_id`, or the only VDU `aspect_id`'s deltas scale. */
function roleVdu(flavour: Flavour, raw: RawParams['master_node'], name: string): string {
  const vdus = new Set(flavour.vdus.map((v) => v.id));
  if (raw.vdu_id !== undefined) {
    if (!vdus.has(raw.vdu_id))
      throw badRequest(`${field(`/${name}/vdu_id`)}: flavour ${flavour.flavourId} has no VDU ${raw.vdu_id}`);
  }
  if (raw.aspect_id === undefined) {
    if (raw.vdu_id === undefined) throw badRequest(`${field(`/${name}`)} needs aspect_id or vdu_id`);
    return raw.vdu_id;
  }
  const aspect = flavour.aspects.find((a) => a.id === raw.aspect_id);
  if (!aspect)
    throw badRequest(
      `${field(`/${name}/aspect_id`)}: flavour ${flavour.flavourId} has no scaling aspect ${raw.aspect_id}`,
    );
  const scaled = Object.keys(aspect.vduDeltas);
  if (raw.vdu_id !== undefined) {
    if (scaled.length > 0 && !scaled.includes(raw.vdu_id))
      throw badRequest(`${field(`/${name}`)}: aspect ${aspect.id} does not scale VDU ${raw.vdu_id}`);
    return raw.vdu_id;
  }
  if (scaled.length !== 1)
    throw badRequest(
      `${field(`/${name}/aspect_id`)}: aspect ${aspect.id} scales ${scaled.length === 0 ? 'no VDU' : `VDUs ${scaled.join(', ')}`}; give vdu_id`,
    );
  return scaled[0]!;
}

function nodeParams(flavour: Flavour, raw: RawParams['master_node'], name: string): NodeParams {
  return {
    vduId: roleVdu(flavour, raw, name),
    ...(raw.aspect_id !== undefined ? { aspectId: raw.aspect_id } : {}),
    ssh_cp_name: raw.ssh_cp_name,
    ...(raw.nic_cp_name !== undefined ? { nic_cp_name: raw.nic_cp_name } : {}),
    ...(raw.username !== undefined ? { username: raw.username } : {}),
    ...(raw.password !== undefined ? { password: raw.password } : {}),
  };
}

/** The schema's first complaint, naming the field (never quoting a value: it may be a password). */
function schemaError(raw: unknown): string | undefined {
  const first = Value.Errors(ClusterParamSchema, raw).First();
  if (!first) return undefined;
  const path = first.path === '' ? '' : first.path;
  if (first.schema && (first.schema as { additionalProperties?: boolean }).additionalProperties === false)
    return `${field(path)}: unknown or missing field (${first.message})`;
  return `${field(path)}: ${first.message}`;
}

/**
 * additionalParams.k8s_cluster_installation_param read against the flavour; throws a 400
 * naming the field. Undefined when the request has none (the driver then refuses).
 */
export function parseClusterParams(
  flavour: Flavour,
  additionalParams: Record<string, unknown>,
): ClusterParams {
  const raw = additionalParams[PARAM];
  if (raw === undefined || raw === null)
    throw badRequest(`additionalParams.${PARAM} is required by the kubernetes-cluster MgmtDriver`);
  const problem = schemaError(raw);
  if (problem) throw badRequest(problem);
  const p = raw as RawParams;
  const master = nodeParams(flavour, p.master_node, 'master_node');
  for (const k of ['pod_cidr', 'cluster_cidr'] as const) {
    const v = p.master_node[k];
    if (v !== undefined) (master as MasterParams)[k] = cidr(v, `/master_node/${k}`);
  }
  if (p.master_node.cluster_cp_name !== undefined)
    (master as MasterParams).cluster_cp_name = p.master_node.cluster_cp_name;
  const worker = p.worker_node ? nodeParams(flavour, p.worker_node, 'worker_node') : undefined;
  if (worker && worker.vduId === master.vduId)
    throw badRequest(`${field('/worker_node')}: masters and workers are the same VDU ${master.vduId}`);
  if (p.proxy) {
    for (const k of ['http_proxy', 'https_proxy'] as const) {
      const v = p.proxy[k];
      if (v !== undefined && !validProxyUrl(v))
        throw badRequest(`${field(`/proxy/${k}`)} must be an http:// or https:// URL`);
    }
    if (p.proxy.k8s_node_cidr !== undefined) cidr(p.proxy.k8s_node_cidr, '/proxy/k8s_node_cidr');
  }
  const out: ClusterParams = {
    script_path: packagePath(p.script_path, '/script_path'),
    master,
    ...(p.vim_name !== undefined ? { vim_name: p.vim_name } : {}),
    ...(worker ? { worker } : {}),
    ...(p.proxy ? { proxy: { ...p.proxy } } : {}),
    ...(p.helm_installation_script_path !== undefined
      ? {
          helm_installation_script_path: packagePath(
            p.helm_installation_script_path,
            '/helm_installation_script_path',
          ),
        }
      : {}),
    ...(p.helm_archive
      ? { helm_archive: { path: p.helm_archive.path, sha256: p.helm_archive.sha256.toLowerCase() } }
      : {}),
  };
  if (out.helm_archive && !out.helm_installation_script_path)
    throw badRequest(`${field('/helm_archive')} needs helm_installation_script_path`);
  return out;
}

/** Every secret the request holds (for redaction of remote output). */
export function requestSecrets(p: ClusterParams): string[] {
  const out = [p.master.password, p.worker?.password];
  for (const url of [p.proxy?.http_proxy, p.proxy?.https_proxy]) {
    const password = url ? PROXY_URL.exec(url)?.[2] : undefined;
    if (password) out.push(password, safeDecode(password));
  }
  return out.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
