// Wiping a released host before the pool hands it out again: the Helm script's
// `uninstall`, the Kubernetes script's `reset`, then everything the driver and the Helm
// CNF driver left in the home directory. Both scripts must succeed on a host where
// nothing was installed, so a host released by a failed instantiate is wiped the same way.
import { posix } from 'node:path';
import { DEFAULT_REMOTE_DIR } from '../../infra/helm/helm-driver.ts';
import type { BoundHost } from '../../infra/hosts/model.ts';
import type { HookContext } from '../driver.ts';
import { type ClusterNode, loginHost, nodeName } from './cluster.ts';
import { withOp } from './ops.ts';
import { parseClusterParams } from './params.ts';
import { MGMT_DIR } from './remote.ts';

export async function cleanHost(ctx: HookContext, host: BoundHost): Promise<void> {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const role = host.vduId === p.master.vduId ? 'master' : 'worker';
  const params = role === 'master' ? p.master : p.worker;
  // No cp checks here: whatever the host's binding was, it is wiped.
  const node: ClusterNode = {
    role,
    bound: params ? loginHost(host, params, role) : host,
    nodeName: nodeName(host.vnfcId),
    nodeIp: host.host.address,
  };
  await withOp(ctx, p, await ctx.store.get(), async (op) => {
    const dir = await op.stageNow(node);
    if (p.helm_installation_script_path)
      await op.actionNow(node, 'helm', 'uninstall', {}, 'helm.uninstall', dir);
    await op.actionNow(node, 'k8s', 'reset', {}, 'k8s.reset', dir);
    const home = (await op.shell(node)).home;
    await op.run(node, 'clean', [
      'rm',
      '-rf',
      '--',
      posix.join(home, ...MGMT_DIR),
      posix.join(home, DEFAULT_REMOTE_DIR),
    ]);
    // ~/.vnfm itself, when nothing else of the VNFM's is left in it.
    await op.run(node, 'clean', [
      'sh',
      '-c',
      'rmdir -- "$1" 2>/dev/null || true',
      'sh',
      posix.join(home, MGMT_DIR[0]),
    ]);
  });
}
