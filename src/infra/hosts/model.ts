// Pre-provisioned SSH hosts as the compute resources of `tosca.nodes.nfv.Vdu.Compute`
// VDUs: a VIM of type `hostpool` lists them (POST /v1.0/vims), and instantiate binds
// each VDU instance (VNFC) to a free one. Host state: FREE → ALLOCATED (bound to one
// VNFC) → DIRTY (released, being wiped by the MgmtDriver that used it) → FREE.

export const HOSTPOOL_VIM_TYPE = 'hostpool';
/** vnfcResourceInfo.computeResource.vimLevelResourceType of a VNFC bound to a pool host. */
export const HOST_RESOURCE_TYPE = 'hostpool.Host';

export type HostState = 'FREE' | 'ALLOCATED' | 'DIRTY';

/** One host as registered in the pool VIM's `extra.hosts[]` (secrets included; masked in views). */
export interface PoolHostSpec {
  /** Unique in the pool; `vnfcResourceInfo.computeResource.resourceId`. */
  id: string;
  /** SSH address (IPv4/IPv6/DNS name). */
  address: string;
  port?: number;
  username: string;
  password?: string;
  private_key?: string;
  /** Pinned host key (`ssh-ed25519 AAAA…` or `SHA256:…`): required, connections fail closed. */
  host_key: string;
  /** Connection point addresses by cpd id (`{"CP1": "127.0.0.11"}`). */
  cps?: Record<string, string>;
  /** Free-form labels; `vdu` restricts the host to VDUs of that id. */
  labels?: Record<string, string>;
}

/** A host bound to a VNFC of an instance, as MgmtDrivers and the hostpool infra driver see it. */
export interface BoundHost {
  vnfcId: string;
  vduId: string;
  /** Order of binding within the instance (stable: masternode_ip follows it). */
  index: number;
  host: PoolHostSpec;
  state: HostState;
  /** The pool VIM's `extra.virtual_cps` (addresses no one host owns, e.g. a VIP), by cpd id; absent: none. */
  virtualCps?: Record<string, string>;
}
