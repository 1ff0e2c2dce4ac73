// /v1.0/vims bodies: Tacker's NFVO shape as python-tackerclient's `openstack vim
// register|set --config-file` sends it for a Kubernetes VIM. The client copies the
// config file's `extra` verbatim; Tacker's own guides put `helm_info` there (v1 Helm),
// `use_helm` (its v2 Helm marker) and `area` (a site label) — those three are known
// here, anything else is a typo and answered 400. Semantics (which credentials go
// together, the Python-dict form of helm_info, host-key syntax) are checked in src/vim.
import { type Static, Type } from '@sinclair/typebox';
import { PYTHON_LITERAL_LIMITS } from '../../vim/python-literal.ts';
import {
  BooleanOrString,
  BoundedMap,
  Description,
  LIMITS,
  Name,
  Password,
  Pem,
  strictObject,
  Url,
} from './primitives.ts';

/** An SSH address: `host`, `host:port` or `[v6]:port`. */
const MasterAddress = () => Type.String({ maxLength: 300 });

export const HelmInfoObject = strictObject({
  masternode_ip: Type.Optional(
    Type.Union([MasterAddress(), Type.Array(MasterAddress(), { maxItems: 16 })], {
      description: 'an address or a list of at most 16 addresses',
    }),
  ),
  masternode_username: Type.Optional(Type.String({ maxLength: LIMITS.name })),
  /** Address → user name, for masters that log in as different users. */
  masternode_usernames: Type.Optional(BoundedMap(Type.String({ maxLength: LIMITS.name }), 16)),
  masternode_password: Type.Optional(Password()),
  masternode_private_key: Type.Optional(Pem()),
  masternode_port: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ pattern: '^[0-9]{1,5}$' })], {
      description: 'a port number 1-65535',
    }),
  ),
  /** Address → pinned host key (`ssh-ed25519 AAAA…` or `SHA256:…`). */
  masternode_host_keys: Type.Optional(BoundedMap(Type.String({ maxLength: 16 * 1024 }), 16)),
});

/** helm_info as JSON, or as the Python-dict string Tacker stores (parsed in src/vim). */
export const HelmInfo = Type.Union(
  [HelmInfoObject, Type.String({ maxLength: PYTHON_LITERAL_LIMITS.maxLength })],
  {
    description: 'an object or a string holding a Python dict',
  },
);

/** `extra` of a VIM, and of a request's vimConnectionInfo (operators copy one into the other). */
export const VimExtra = strictObject({
  helm_info: Type.Optional(HelmInfo),
  use_helm: Type.Optional(BooleanOrString()),
  area: Type.Optional(Type.String({ maxLength: LIMITS.name })),
});

/** A pool host or cpd id: a name safe in logs, paths and labels. */
const PoolId = () =>
  Type.String({
    pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
    description: 'an id of 1-63 letters, digits, ".", "_" or "-"',
  });
/** An address (IP checked in src/vim/hostpool.ts). */
const CpAddress = () => Type.String({ minLength: 1, maxLength: 64 });

/** One pre-provisioned host of a hostpool VIM (src/infra/hosts/model.ts PoolHostSpec). */
export const PoolHost = strictObject({
  id: PoolId(),
  address: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  username: Type.String({ pattern: '^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$', description: 'a login name' }),
  password: Type.Optional(Password()),
  private_key: Type.Optional(Pem()),
  host_key: Type.String({ minLength: 1, maxLength: 16 * 1024 }),
  cps: Type.Optional(BoundedMap(CpAddress(), 32)),
  labels: Type.Optional(BoundedMap(Type.String({ maxLength: LIMITS.name }), 32)),
});

/** `extra` of a VIM body: a Kubernetes VIM's fields and a hostpool VIM's (src/vim refuses the other type's). */
export const VimBodyExtra = strictObject({
  ...VimExtra.properties,
  hosts: Type.Optional(Type.Array(PoolHost, { maxItems: 256 })),
  /** Virtual (VRRP) connection point addresses by cpd id, shared by the pool's hosts. */
  virtual_cps: Type.Optional(BoundedMap(CpAddress(), 32)),
});

export const AuthCred = strictObject({
  bearer_token: Type.Optional(Type.String({ maxLength: LIMITS.token })),
  ssl_ca_cert: Type.Optional(Pem()),
  client_cert: Type.Optional(Pem()),
  client_key: Type.Optional(Pem()),
  username: Type.Optional(Type.String({ maxLength: LIMITS.name })),
  password: Type.Optional(Password()),
});

const vimFields = {
  name: Name(),
  description: Description(),
  type: Type.String({ maxLength: 64 }),
  auth_url: Url(),
  auth_cred: AuthCred,
  vim_project: strictObject({ name: Type.Optional(Name()) }),
  is_default: Type.Boolean(),
  extra: VimBodyExtra,
  /** python-tackerclient's `--tenant-id`; the VNFM has no tenants and ignores it. */
  tenant_id: Type.String({ maxLength: LIMITS.id }),
};

export const VimCreate = strictObject({
  name: vimFields.name,
  type: vimFields.type,
  /** Required for a Kubernetes VIM, refused for a hostpool VIM (src/vim/registry.ts). */
  auth_url: Type.Optional(vimFields.auth_url),
  auth_cred: Type.Optional(vimFields.auth_cred),
  description: Type.Optional(vimFields.description),
  vim_project: Type.Optional(vimFields.vim_project),
  is_default: Type.Optional(vimFields.is_default),
  extra: Type.Optional(vimFields.extra),
  tenant_id: Type.Optional(vimFields.tenant_id),
});

export const VimUpdate = Type.Partial(VimCreate, { additionalProperties: false });

export const VimCreateRequest = strictObject({ vim: VimCreate });
export const VimUpdateRequest = strictObject({ vim: VimUpdate });

export type VimCreateRequest = Static<typeof VimCreateRequest>;
export type VimUpdateRequest = Static<typeof VimUpdateRequest>;

/** One query value, or several when the parameter repeats (`?id=a&id=b` means either). */
const QueryValues = (maxLength: number) =>
  Type.Union([Type.String({ maxLength }), Type.Array(Type.String({ maxLength }), { maxItems: 100 })], {
    description: 'a string, or a repeated parameter of at most 100 strings',
  });

/**
 * `GET /v1.0/vims` filters, Tacker's (Neutron-style) attribute filters on the VIM view's
 * plain attributes. `fields` is accepted and ignored (the whole view is always sent).
 * Tacker ignores a parameter it does not know; here it is a 400 naming it, because a
 * filter silently dropped is how a client shows or deletes the wrong VIM.
 */
export const VimListQuery = strictObject({
  id: Type.Optional(QueryValues(LIMITS.id)),
  name: Type.Optional(QueryValues(LIMITS.name)),
  description: Type.Optional(QueryValues(LIMITS.description)),
  type: Type.Optional(QueryValues(64)),
  status: Type.Optional(QueryValues(64)),
  auth_url: Type.Optional(QueryValues(LIMITS.url)),
  tenant_id: Type.Optional(QueryValues(LIMITS.name)),
  is_default: Type.Optional(QueryValues(5)),
  fields: Type.Optional(QueryValues(64)),
});

export type VimListQuery = Static<typeof VimListQuery>;
