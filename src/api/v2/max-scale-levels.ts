// SOL003 v3.3.1 instantiatedVnfInfo.maxScaleLevels: each aspect's max_scale_level in the
// flavour the instance runs. Not stored with the instance: read from its package's VNFD,
// once per package and flavour for a whole list page.
import type { Db } from '../../db/connect.ts';
import { getPackageVnfd } from '../../db/queries/packages.ts';
import type { ScaleInfo, VnfInstance } from '../../lcm/model.ts';
import { flavour, type Vnfd } from '../../packages/vnfd/index.ts';

export type MaxScaleLevels = (i: VnfInstance) => ScaleInfo[] | undefined;

/** The maxScaleLevels of each INSTANTIATED instance given (those whose info was read). */
export async function maxScaleLevelsOf(db: Db, instances: readonly VnfInstance[]): Promise<MaxScaleLevels> {
  const vnfds = new Map<string, Vnfd | undefined>();
  for (const i of instances) {
    if (i.instantiatedVnfInfo && !vnfds.has(i.vnfPkgId))
      vnfds.set(i.vnfPkgId, await getPackageVnfd<Vnfd>(db, i.vnfPkgId));
  }
  return (i) => {
    const info = i.instantiatedVnfInfo;
    const vnfd = vnfds.get(i.vnfPkgId);
    const f = info && vnfd ? flavour(vnfd, info.flavourId) : undefined;
    return f?.aspects.map((a) => ({ aspectId: a.id, scaleLevel: a.maxScaleLevel }));
  };
}
