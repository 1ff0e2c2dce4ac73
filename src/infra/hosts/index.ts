// Pre-provisioned hosts as compute resources: the hostpool infra driver, and the
// hosts bound to an instance as MgmtDrivers see them.
import type { Db } from '../../db/connect.ts';
import { boundHosts as boundHostRows } from '../../db/queries/pool-hosts.ts';
import type { SecretBox } from '../../secrets/box.ts';
import type { BoundHost } from './model.ts';

export { createHostPoolDriver } from './hostpool-driver.ts';
export {
  HOST_RESOURCE_TYPE,
  HOSTPOOL_VIM_TYPE,
  type BoundHost,
  type HostState,
  type PoolHostSpec,
} from './model.ts';

/**
 * The hosts attached to a VNF instance in binding order, secrets opened (for drivers,
 * never for responses or logs): ALLOCATED ones bound to its VNFCs, and DIRTY ones
 * released but not yet wiped (an index may then appear twice, ALLOCATED first: a heal's
 * new host and the old one).
 */
export function boundHosts(db: Db, secrets: SecretBox, vnfInstanceId: string): Promise<BoundHost[]> {
  return boundHostRows(db, secrets, vnfInstanceId);
}
