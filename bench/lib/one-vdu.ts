// The sample VNFD (test/helpers/cnf-package.ts) cut down to its first VDU, for the
// benchmarks' one-release instances: a Helm-mode instantiate fails when a VDU of the
// flavour is carried by no workload of the releases, and one release carries one VDU.
// VDU2 goes with everything that names it (its scaling aspect, the policies targeting
// it, its share of the instantiation levels), so VNFM and direct helm do the same work.
import { parse, stringify } from 'yaml';

export const DF_PATH = 'Definitions/sample_cnf_df_helmchart.yaml';

type Policy = Record<string, { targets?: string[]; properties?: Record<string, unknown> }>;

/** A cnfPackage `edit` that removes `vdu` (and `<vdu lowercased>_aspect`) from the flavour. */
export function withoutVdu(vdu = 'VDU2'): (files: Map<string, string | Buffer>) => void {
  const aspect = `${vdu.toLowerCase()}_aspect`;
  return (files) => {
    const df = parse(String(files.get(DF_PATH)));
    const topology = df.topology_template;
    delete topology.node_templates[vdu];
    topology.policies = (topology.policies as Policy[]).filter((p) => {
      const body = Object.values(p)[0]!;
      const props = body.properties ?? {};
      if (body.targets?.includes(vdu) || props.aspect === aspect) return false;
      const aspects = props.aspects as Record<string, unknown> | undefined;
      if (aspects) delete aspects[aspect];
      const levels = props.levels as Record<string, { scale_info?: Record<string, unknown> }> | undefined;
      for (const level of Object.values(levels ?? {})) delete level.scale_info?.[aspect];
      return true;
    });
    files.set(DF_PATH, stringify(df));
  };
}
