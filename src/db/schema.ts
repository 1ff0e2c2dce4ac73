// Row types of the store, one interface per table (migrations in ./migrations).
// JSON columns are text in both SQLite and PostgreSQL, so the same queries run on both.

export interface VimRow {
  id: string;
  name: string;
  description: string;
  type: string;
  auth_url: string;
  project_name: string;
  is_default: number;
  status: string;
  /** JSON: non-secret credential fields (ssl_ca_cert, username…). */
  auth_cred: string;
  /** JSON: `extra` without its secret fields. */
  extra: string;
  /** SecretBox-sealed JSON of the secret fields. */
  secrets: string;
  created_at: string;
  updated_at: string | null;
  /** The VNF instance whose MgmtDriver registered the VIM (migration 0007); null for operator-registered ones. */
  owner_vnf_instance_id?: string | null;
}

export interface VnfPackageRow {
  id: string;
  onboarding_state: string;
  operational_state: string;
  usage_state: string;
  vnfd_id: string | null;
  /** JSON: the VnfPkgInfo fields not held in their own columns. */
  info: string;
  /** JSON: the parsed VNFD model, once onboarded. */
  vnfd: string | null;
  created_at: string;
  updated_at: string;
}

export interface VnfInstanceRow {
  id: string;
  vnfd_id: string;
  vnf_pkg_id: string;
  /** The VIM the instance runs on, once instantiated (a VIM in use cannot be deleted). */
  vim_id: string | null;
  instantiation_state: string;
  /** Copies of info fields, kept in columns for SQL filtering of lists. */
  vnf_instance_name: string | null;
  vnf_provider: string | null;
  vnf_product_name: string | null;
  /** JSON: the VnfInstance fields not held in their own columns. */
  info: string;
  /** JSON: `info` without the attributes a default list page leaves out (instance-brief.ts, migration 0009). */
  brief: string;
  /** JSON: the infra driver's own state (InfraState). */
  infra_state: string;
  /** SecretBox-sealed JSON: the MgmtDriver's InstanceStore value (migration 0007). */
  mgmt_store?: string | null;
  created_at: string;
  updated_at: string;
}

export interface VnfLcmOpOccRow {
  id: string;
  vnf_instance_id: string;
  operation: string;
  operation_state: string;
  /** JSON: the VnfLcmOpOcc fields not held in their own columns. */
  info: string;
  pending: 'run' | 'rollback' | null;
  locked_by: string | null;
  locked_at: string | null;
  start_time: string;
  state_entered_time: string;
}

/** A host of a hostpool VIM and its allocation (vnf_instance_id… set while ALLOCATED or DIRTY). */
export interface PoolHostRow {
  vim_id: string;
  host_id: string;
  /** JSON: the PoolHostSpec without password/private_key. */
  spec: string;
  /** SecretBox-sealed JSON of password/private_key. */
  secrets: string;
  /** labels.vdu of the spec: the only VDU the host may serve (null: any). */
  vdu_label: string | null;
  state: string;
  vnf_instance_id: string | null;
  vnfc_id: string | null;
  vdu_id: string | null;
  bind_index: number | null;
  updated_at: string;
}

/** One finished step of an op occ's MgmtDriver hooks (src/mgmt/journal.ts). */
export interface MgmtJournalRow {
  op_occ_id: string;
  step: string;
  /** SecretBox-sealed JSON: the step's output. */
  output: string;
  created_at: string;
}

/** A SOL003 or SOL005 subscription (migration 0008). */
export interface SubscriptionRow {
  id: string;
  /** src/notify/model.ts SubscriptionApi. */
  api: 'vnflcm' | 'vnflcmV2' | 'vnfpkgm';
  callback_uri: string;
  /** JSON: the request's filter ('{}' without one). */
  filter: string;
  /** Canonical JSON of callback URI + filter (identical subscriptions → 303). */
  identity: string;
  /** SecretBox-sealed JSON of the authentication towards the receiver. */
  authentication: string | null;
  created_at: string;
}

/** A notification waiting for (or done with) delivery to one subscription (migration 0008). */
export interface NotificationOutboxRow {
  id: string;
  subscription_id: string;
  ordering_key: string;
  sequence: number;
  /** JSON: the notification body. */
  body: string;
  state: 'PENDING' | 'DELIVERED' | 'EXPIRED';
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_error: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
  created_at: string;
}

export interface Schema {
  vims: VimRow;
  vnf_packages: VnfPackageRow;
  vnf_instances: VnfInstanceRow;
  vnf_lcm_op_occs: VnfLcmOpOccRow;
  mgmt_journal: MgmtJournalRow;
  pool_hosts: PoolHostRow;
  subscriptions: SubscriptionRow;
  notification_outbox: NotificationOutboxRow;
}
