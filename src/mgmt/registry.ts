// The MgmtDrivers compiled into the VNFM, by id, and the ones configuration enables
// (VNFD artifact name → driver id, VNFM_MGMT_DRIVERS). Package code never runs: an
// artifact name only selects one of these.
import { ConfigError } from '../config.ts';
import type { MgmtDriver } from './driver.ts';
import { kubernetesCluster } from './kubernetes-cluster/index.ts';

/** Every built-in driver; a new one is imported and listed here. */
export const BUILT_IN: readonly MgmtDriver[] = [kubernetesCluster];

/**
 * Not a driver: artifacts mapped to it are LCM scripts the operator has chosen to skip (the
 * reference's sample packages name a Python `sample-script` that does nothing), so their
 * hooks run nothing and the instance has no MgmtDriver.
 */
export const SKIP_DRIVER = 'none';

export interface MgmtRegistry {
  /** Every driver this VNFM has (built in, plus any a test registers), by id: instances keep theirs. */
  drivers: ReadonlyMap<string, MgmtDriver>;
  /** The enabled ones, by the VNFD artifact name configuration maps to them. */
  artifacts: ReadonlyMap<string, MgmtDriver>;
  /** Artifacts mapped to SKIP_DRIVER: their hooks run nothing. */
  skipped: ReadonlySet<string>;
}

/** Resolves the configured artifact → driver id map; an unknown id is a ConfigError naming the known ones. */
export function mgmtRegistry(
  enabled: Record<string, string>,
  extra: readonly MgmtDriver[] = [],
): MgmtRegistry {
  const drivers = new Map<string, MgmtDriver>();
  for (const d of [...BUILT_IN, ...extra]) {
    if (drivers.has(d.id)) throw new ConfigError(`two MgmtDrivers have the id '${d.id}'`);
    drivers.set(d.id, d);
  }
  const artifacts = new Map<string, MgmtDriver>();
  const skipped = new Set<string>();
  for (const [artifact, id] of Object.entries(enabled)) {
    if (id === SKIP_DRIVER) {
      skipped.add(artifact);
      continue;
    }
    const d = drivers.get(id);
    if (!d) {
      const known = [...drivers.keys()].join(', ') || 'none';
      throw new ConfigError(
        `MgmtDrivers: artifact '${artifact}' names unknown driver '${id}' (built in: ${known}; '${SKIP_DRIVER}' skips the artifact's hooks)`,
      );
    }
    artifacts.set(artifact, d);
  }
  return { drivers, artifacts, skipped };
}
