// A VIM given inline in a vimConnectionInfo entry, as SOL003 v3 clients (the reference
// VNFM's v2 users) send it instead of naming a registered VIM:
//   {vimType: ETSINFV.KUBERNETES.V_1 | ETSINFV.HELM.V_3 (or v1's kubernetes),
//    interfaceInfo: {endpoint, ssl_ca_cert}, accessInfo: {bearer_token} | {client_cert, client_key}}
// Such an entry may carry a vimId of its own (the reference's clients send a random one):
// it names no registered VIM. The engine keeps the entry sealed with the instance
// (EngineState.vimConnectionSealed) and builds the Vim the drivers use from it for every
// operation, so its token only ever goes to its own endpoint; a change of the endpoint
// or its trust must bring the secrets again (requireInlineSecretsAgain).
import { badRequest } from '../errors.ts';
import type { VimConnectionInfo } from '../lcm/model.ts';
import { type CredentialField, endpointChange, validateAuthCred } from './credentials.ts';
import { type KubeAuthCred, MASK, SECRET_AUTH_CRED_FIELDS, type Vim } from './model.ts';

export const KUBERNETES_VIM_TYPE = 'ETSINFV.KUBERNETES.V_1';
/** Helm mode, run on the VNFM host against the entry's endpoint (the local transport). */
export const HELM_VIM_TYPE = 'ETSINFV.HELM.V_3';
/** The vimTypes of a Kubernetes cluster, inline or registered: SOL003 v3's two and v1's. */
export const KUBERNETES_VIM_TYPES = ['kubernetes', KUBERNETES_VIM_TYPE, HELM_VIM_TYPE];

const INTERFACE_FIELDS = ['endpoint', 'ssl_ca_cert'] as const;
const ACCESS_FIELDS = ['bearer_token', 'client_cert', 'client_key'] as const;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Whether the entry gives access of its own (interfaceInfo or accessInfo): unless its vimId names
 * a registered VIM (which is then used as registered), it is a VIM inline, checked whole by inlineVim.
 */
export function givesAccess(vci: Partial<VimConnectionInfo>): boolean {
  return [vci.interfaceInfo, vci.accessInfo].some((o) => isObj(o) && Object.keys(o).length > 0);
}

/** Where each credential of an inline entry sits in the request. */
const fieldsOf =
  (at: string): CredentialField =>
  (k) =>
    k === 'ssl_ca_cert' ? `${at}.interfaceInfo.${k}` : `${at}.accessInfo.${k}`;

/**
 * PEM blocks rewrapped: clients that carry a certificate in a one-line setting replace its
 * newlines by spaces (the reference VNFM accepts that), which no TLS library reads.
 */
export function normalizePem(pem: string): string {
  const blocks = pem.replace(
    /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g,
    (_all, label: string, body: string) => {
      const b64 = body.replace(/\s+/g, '');
      const lines = b64.match(/.{1,64}/g) ?? [];
      return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
    },
  );
  // Whatever else the text holds stays, for the certificate check to refuse.
  return `${blocks.trim()}\n`;
}

function onlyKnown(o: Obj, known: readonly string[], field: string): void {
  for (const k of Object.keys(o))
    if (!known.includes(k))
      throw badRequest(
        `${field}.${k}: not supported for a VIM given inline (${field} takes ${known.join(', ')})`,
      );
}

function text(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '') throw badRequest(`${field} must be a non-empty string`);
  return v;
}

/** The endpoint as a URL helm and the Kubernetes client may be given: https, no credentials, query or fragment. */
function endpointUrl(v: unknown, field: string): string {
  const s = text(v, field);
  if (s === undefined) throw badRequest(`${field} is required for a VIM given inline`);
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw badRequest(`${field}: ${JSON.stringify(s)} is not a URL`);
  }
  if (url.protocol !== 'https:')
    throw badRequest(`${field} must be an https URL of the Kubernetes API (the token travels to it)`);
  if (url.username || url.password) throw badRequest(`${field} must not contain credentials`);
  if (url.search || url.hash) throw badRequest(`${field} must not have a query or fragment`);
  return s;
}

/**
 * The Vim the drivers use for an inline entry (secrets included: never show it), every field
 * checked; throws a 400 naming the field as the request has it (`at`: `vimConnectionInfo[0]`).
 * `vnfInstanceId` names it: `inline-<id>`, one per instance (the local transport keeps helm's
 * homes per VIM id).
 */
export function inlineVim(vci: VimConnectionInfo, vnfInstanceId: string, at = 'vimConnectionInfo'): Vim {
  if (!KUBERNETES_VIM_TYPES.includes(vci.vimType))
    throw badRequest(
      `${at}.vimType: a VIM given inline must be one of ${KUBERNETES_VIM_TYPES.join(', ')}, got ${JSON.stringify(vci.vimType)}`,
    );
  const iface = vci.interfaceInfo ?? {};
  const access = vci.accessInfo;
  if (!isObj(access)) throw badRequest(`${at}.accessInfo is required for a VIM given inline`);
  onlyKnown(iface, INTERFACE_FIELDS, `${at}.interfaceInfo`);
  onlyKnown(access, ACCESS_FIELDS, `${at}.accessInfo`);
  // Helm of an inline VIM runs on the VNFM host; master nodes are a registered VIM's.
  if (vci.extra?.helm_info !== undefined && vci.extra.helm_info !== null)
    throw badRequest(
      `${at}.extra.helm_info: a VIM given inline runs helm on the VNFM host; master nodes need a registered VIM`,
    );
  const field = fieldsOf(at);
  const authUrl = endpointUrl(iface.endpoint, `${at}.interfaceInfo.endpoint`);
  const cred: KubeAuthCred = {};
  for (const k of ACCESS_FIELDS) {
    const v = text(access[k], field(k));
    if (v === MASK)
      throw badRequest(`${field(k)}: '${MASK}' stands for a stored secret; a new VIM given inline has none`);
    if (v !== undefined) cred[k] = k === 'bearer_token' ? v : normalizePem(v);
  }
  const ca = text(iface.ssl_ca_cert, field('ssl_ca_cert'));
  if (ca !== undefined) cred.ssl_ca_cert = normalizePem(ca);
  validateAuthCred(cred, field);
  return {
    id: `inline-${vnfInstanceId}`,
    name: vci.id,
    description: `given inline in vimConnectionInfo ${vci.id}`,
    type: 'kubernetes',
    authUrl,
    projectName: 'default',
    isDefault: false,
    status: 'REACHABLE',
    authCred: cred,
    extra: {},
    inline: true,
    createdAt: new Date(0).toISOString(),
    updatedAt: null,
  };
}

/**
 * An inline entry as a PATCH leaves it (`merged`: the stored entry with its secrets, the patch
 * merged in), checked against the stored one (`current`): where the endpoint or its trust
 * changed, every secret the entry still holds must be one the patch gives (a '***' or an absent
 * field gives none) — else the stored token would go to an endpoint of the patcher's choosing.
 * Where nothing moved, a '***' stands for the stored secret. Returns the entry to seal.
 */
export function requireInlineSecretsAgain(
  current: VimConnectionInfo,
  merged: VimConnectionInfo,
  patch: { accessInfo?: Obj | null },
  vnfInstanceId: string,
  at: string,
): VimConnectionInfo {
  const given = new Set(
    Object.entries(isObj(patch.accessInfo) ? patch.accessInfo : {})
      .filter(([, v]) => v !== MASK && v !== null && v !== undefined)
      .map(([k]) => k),
  );
  const access: Obj = { ...(merged.accessInfo ?? {}) };
  for (const [k, v] of Object.entries(access))
    if (v === MASK && current.accessInfo?.[k] !== undefined) access[k] = current.accessInfo[k];
  const entry = { ...merged, accessInfo: access };
  const before = inlineVim(current, vnfInstanceId, at);
  const after = inlineVim(entry, vnfInstanceId, at);
  const moved = endpointChange(before, after, fieldsOf(at), `${at}.interfaceInfo.endpoint`);
  if (moved) {
    for (const k of SECRET_AUTH_CRED_FIELDS)
      if (after.authCred[k] !== undefined && !given.has(k))
        throw badRequest(`${moved} changed: ${at}.accessInfo.${k} must be given again`);
  }
  return entry;
}
