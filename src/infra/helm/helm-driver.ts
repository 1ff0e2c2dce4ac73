// The InfraDriver for Helm mode (additionalParams.use_helm): helm installs the
// CNF's charts as MCIOPs — on a master node over SSH, or locally against a
// kubeconfig built from the VIM — and the Kubernetes API reads pods, heals them
// and scales what is no chart value. Each operation is its own module; this one
// only wires them to the interface and holds the options.
import { join } from 'node:path';
import { badRequest } from '../../errors.ts';
import type { InfraContext, InfraDriver, InfraState } from '../driver.ts';
import { changeVnfpkg, packageParams, rollbackChangeVnfpkg } from './change-vnfpkg.ts';
import { healVnfcs } from './heal.ts';
import { chooseTransport, type HostOptions, mastersOf } from './hosts.ts';
import { instantiate } from './instantiate.ts';
import { removeVimHome } from './local-transport.ts';
import { observe } from './observe.ts';
import { chartArchives, newOp, params } from './operation.ts';
import { rollbackScale, scale } from './scale.ts';
import { keptForReinstall } from './state.ts';
import { terminate } from './terminate.ts';

/** The SSH transport's chart directories are `~/<this>/<vnfInstanceId>` (the Kubernetes-cluster driver copies them on master heal). */
export const DEFAULT_REMOTE_DIR = 'vnfm';

export interface HelmDriverOptions {
  /** Where helm runs: 'auto' (default) is SSH when the VIM's helm_info lists master nodes, else local. */
  transport?: 'ssh' | 'local' | 'auto';
  /** The local helm binary (default `helm` on PATH). */
  helmBinary?: string;
  /** Local transport's base directory: helm homes per VIM, chart directories per instance (default `data/helm`). */
  homeDir?: string;
  /** Directory under the SSH user's home for per-instance chart directories (default `vnfm`: `~/vnfm/<id>`). */
  remoteDir?: string;
  sshReadyTimeoutMs?: number;
}

export interface HelmDriver extends InfraDriver {
  /** Returns the releases and workloads the last scale changed to where it started (helm rollback to the revision before). */
  rollbackScale(ctx: InfraContext, state: InfraState): Promise<InfraState>;
}

export function createHelmDriver(options: HelmDriverOptions = {}): HelmDriver {
  const opts: HostOptions = {
    transport: options.transport ?? 'auto',
    helmBinary: options.helmBinary ?? 'helm',
    homeDir: options.homeDir ?? join(process.cwd(), 'data', 'helm'),
    remoteDir: options.remoteDir ?? DEFAULT_REMOTE_DIR,
    ...(options.sshReadyTimeoutMs !== undefined ? { sshReadyTimeoutMs: options.sshReadyTimeoutMs } : {}),
  };
  return {
    async validate(ctx) {
      const op = newOp(ctx, opts);
      await chartArchives(params(op));
      const masters = mastersOf(ctx); // a malformed helm_info or a broken credential rule is refused here
      if (chooseTransport(ctx, opts) === 'ssh' && masters.length === 0)
        throw badRequest(
          `VIM ${ctx.vim.id}: extra.helm_info.masternode_ip lists no master node to run helm on`,
        );
    },
    instantiate: (ctx, replicas, state) => instantiate(newOp(ctx, opts), replicas, state),
    scale: (ctx, replicas, state) => scale(newOp(ctx, opts), replicas, state),
    rollbackScale: (ctx, state) => rollbackScale(newOp(ctx, opts), state),
    healVnfcs: (ctx, podNames, state) => healVnfcs(newOp(ctx, opts), podNames, state),
    packageParams: (ctx, request) => packageParams(newOp(ctx, opts), request),
    changeVnfpkg: (ctx, replicas, state) => changeVnfpkg(newOp(ctx, opts), replicas, state),
    rollbackChangeVnfpkg: (ctx, _replicas, state) => rollbackChangeVnfpkg(newOp(ctx, opts), state),
    terminate: (ctx, state, graceful) => terminate(newOp(ctx, opts), state, graceful),
    keptForReinstall,
    vimRemoved: (vimId) => removeVimHome(opts.homeDir, vimId),
    observe: (ctx, state) => observe(newOp(ctx, opts), state),
  };
}
