// Every migration, keyed by a name that sorts in the order they apply.
import type { Migration } from 'kysely/migration';
import * as m0001 from './0001_vims.ts';
import * as m0002 from './0002_vnf_packages.ts';
import * as m0003 from './0003_lcm.ts';
import * as m0004 from './0004_instance_columns.ts';
import * as m0005 from './0005_mask_stored_secrets.ts';
import * as m0006 from './0006_host_pool.ts';
import * as m0007 from './0007_mgmt.ts';
import * as m0008 from './0008_subscriptions.ts';
import * as m0009 from './0009_instance_brief.ts';

export const migrations: Record<string, Migration> = {
  '0001_vims': m0001,
  '0002_vnf_packages': m0002,
  '0003_lcm': m0003,
  '0004_instance_columns': m0004,
  '0005_mask_stored_secrets': m0005,
  '0006_host_pool': m0006,
  '0007_mgmt': m0007,
  '0008_subscriptions': m0008,
  '0009_instance_brief': m0009,
};
