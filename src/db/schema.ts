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

export interface Schema {
  vims: VimRow;
  vnf_packages: VnfPackageRow;
}
