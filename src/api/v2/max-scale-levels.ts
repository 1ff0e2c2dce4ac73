// SOL003 v3.3.1 instantiatedVnfInfo.maxScaleLevels: each aspect's max_scale_level in the
// flavour the instance runs. Not stored with the instance: it comes from the package's
// VNFD, which never changes once onboarded, so each package's levels are read and parsed
// once per process and kept (a GET would otherwise read and parse the whole VNFD).
import type { Db } from '../../db/connect.ts';
import { getPackageVnfd } from '../../db/queries/packages.ts';
import type { ScaleInfo, VnfInstance } from '../../lcm/model.ts';
import type { Vnfd } from '../../packages/vnfd/index.ts';

export type MaxScaleLevels = (i: VnfInstance) => ScaleInfo[] | undefined;

/** Flavour id → its aspects' max levels, by package id; bounded, as package ids are many over time. */
const byPackage = new Map<string, Map<string, ScaleInfo[]>>();
const KEPT = 1000;

async function levelsOf(db: Db, pkgId: string): Promise<Map<string, ScaleInfo[]> | undefined> {
  const kept = byPackage.get(pkgId);
  if (kept) return kept;
  const vnfd = await getPackageVnfd<Vnfd>(db, pkgId);
  // Not onboarded (or deleted meanwhile): nothing to show, and nothing kept.
  if (!vnfd) return undefined;
  const levels = new Map(
    vnfd.flavours.map((f) => [
      f.flavourId,
      f.aspects.map((a) => ({ aspectId: a.id, scaleLevel: a.maxScaleLevel })),
    ]),
  );
  if (byPackage.size >= KEPT) byPackage.clear();
  byPackage.set(pkgId, levels);
  return levels;
}

/** The maxScaleLevels of each INSTANTIATED instance given (those whose info was read). */
export async function maxScaleLevelsOf(db: Db, instances: readonly VnfInstance[]): Promise<MaxScaleLevels> {
  const packages = new Map<string, Map<string, ScaleInfo[]> | undefined>();
  for (const i of instances) {
    if (i.instantiatedVnfInfo && !packages.has(i.vnfPkgId))
      packages.set(i.vnfPkgId, await levelsOf(db, i.vnfPkgId));
  }
  return (i) => {
    const info = i.instantiatedVnfInfo;
    return info ? packages.get(i.vnfPkgId)?.get(info.flavourId) : undefined;
  };
}
