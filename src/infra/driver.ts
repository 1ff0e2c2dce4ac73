// What the LCM workflows ask of an infrastructure driver (Kubernetes manifests or
// Helm). Drivers observe the cluster and act on it; they keep whatever they need
// to find their objects again in `InfraState`, which the engine persists with the
// VNF instance after every step so a retry can "observe again, then continue".
import type { Logger } from '../log.ts';
import type { Flavour } from '../packages/vnfd/index.ts';
import type { Vim } from '../vim/model.ts';
import type { BoundHost } from './hosts/model.ts';

/** One running VNFC: a pod of a VDU's workload. `id` is the pod name (vnfcResourceInfo.computeResource.resourceId). */
export interface VnfcResource {
  id: string;
  vduId: string;
  /** Workload kind and name the pod belongs to (Deployment/StatefulSet/DaemonSet/ReplicaSet/Pod). */
  workloadKind: string;
  workloadName: string;
  namespace: string;
  /** Pod phase as read from the API (Running, Pending…). */
  status: string;
  /**
   * A VNFC on a pool host (src/infra/hosts): `id` is then the VNFC's own id, kept across a
   * heal, and the host is its compute resource (workloadKind HOST_RESOURCE_TYPE, no namespace).
   */
  host?: { id: string; address: string; cps: Record<string, string> };
}

/** Pods ready and wanted of one VDU's workload, as last read. */
export interface VduReadiness {
  ready: number;
  wanted: number;
}

/**
 * Where a driver tells what it is doing, for the op occ's `_progress` (src/lcm/progress.ts).
 * Calls return at once (the writes are throttled); text given must hold no secret.
 */
export interface ProgressSink {
  /** A step begins, named as an operator reads it ("helm install vdu1"); `count`: its place among steps of its kind. */
  step(name: string, count?: { done: number; total: number }): void;
  /** The last thing worth telling within the step (cut short when long). */
  message(text: string): void;
  /** Pods ready / wanted of VDUs (merged into what earlier calls told). */
  vdus(counts: Record<string, VduReadiness>): void;
}

/** Driver-owned, JSON-serialisable state stored on the VNF instance. */
export type InfraState = Record<string, unknown>;

export interface InfraContext {
  /** The VIM as registered (its secrets included): drivers never see a request's values merged into it. */
  vim: Vim;
  /**
   * The instantiate request's vimConnectionInfo[].extra.helm_info, as sent (JSON or a
   * Python-dict string, '***' possibly); Helm mode resolves it against the VIM's (helm-info.ts).
   */
  requestHelmInfo?: unknown;
  /** Absolute path of the onboarded package's extracted content. */
  packageRoot: string;
  vnfInstanceId: string;
  /** The op occ the driver acts for; absent when it only observes (the vnfcResourceInfo refresh). */
  opOccId?: string;
  flavour: Flavour;
  /** additionalParams of the instantiate request (drivers read their own keys). */
  additionalParams: Record<string, unknown>;
  log: Logger;
  /** Deadline for waits on readiness; a wait past it fails the step (→ FAILED_TEMP), never hangs. */
  timeoutMs: number;
  /**
   * Persists the driver's state mid-step. Drivers call it after each object they
   * create, so that after a crash of the VNFM rollback still finds everything.
   */
  checkpoint?: (state: InfraState) => Promise<void>;
  /**
   * Records the host key a master node presented when nothing pinned it (trust on first
   * use) in the VIM, so that every later connection to it, from any instance, checks it.
   */
  recordHostKey?: (address: string, key: string) => Promise<void>;
  /**
   * Wipes a pool host an operation released (hostpool VIMs), before it is FREE again: the
   * MgmtDriver's cleaning of what it installed there. Absent: nothing was installed, free at once.
   */
  cleanHost?: (host: BoundHost) => Promise<void>;
  /** The op occ's progress (absent when the driver only observes). */
  progress?: ProgressSink;
}

export interface InfraDriver {
  /** Rejects bad additionalParams before anything is touched (throws ProblemError 400). */
  validate(ctx: InfraContext): Promise<void>;
  /** Creates the VNF with the given replicas per VDU and waits until it is ready. Idempotent on retry. */
  instantiate(ctx: InfraContext, replicas: Record<string, number>, state: InfraState): Promise<InfraState>;
  /** Sets replicas of the VDUs named and waits until ready. */
  scale(ctx: InfraContext, replicas: Record<string, number>, state: InfraState): Promise<InfraState>;
  /** Deletes the named pods and waits for their replacements to be ready. */
  healVnfcs(ctx: InfraContext, podNames: string[], state: InfraState): Promise<InfraState>;
  /** Removes everything the driver created; a resource already gone counts as removed. */
  terminate(ctx: InfraContext, state: InfraState, graceful?: { timeoutSeconds: number }): Promise<void>;
  /**
   * What a reinstall of the same instance (whole-VNF heal: terminate, then instantiate)
   * starts from instead of nothing: facts about where it runs, never its objects —
   * Helm mode keeps the master node used and the host keys it pinned.
   */
  keptForReinstall?(state: InfraState): InfraState;
  /**
   * CHANGE_VNFPKG, before anything is touched: the instance's additionalParams for the new
   * package, from its current ones (`ctx.additionalParams`) and the request's; checked
   * against the new package (`ctx.packageRoot`, `ctx.flavour`): throws ProblemError 400.
   * Absent: the driver cannot change the package of a running VNF.
   */
  packageParams?(
    ctx: InfraContext,
    request: Record<string, unknown>,
    state: InfraState,
  ): Promise<Record<string, unknown>>;
  /**
   * Moves the running VNF to the package of `ctx` (whose additionalParams are packageParams'
   * answer) keeping `replicas` per VDU, and waits until it is ready. Safe to run again on retry;
   * records what rollbackChangeVnfpkg needs before it changes anything.
   */
  changeVnfpkg?(ctx: InfraContext, replicas: Record<string, number>, state: InfraState): Promise<InfraState>;
  /** Returns the VNF to the package of `ctx` (the one it ran before the change), keeping `replicas`. */
  rollbackChangeVnfpkg?(
    ctx: InfraContext,
    replicas: Record<string, number>,
    state: InfraState,
  ): Promise<InfraState>;
  /** The VNFCs running now, read from the cluster. */
  observe(ctx: InfraContext, state: InfraState): Promise<VnfcResource[]>;
  /** Forgets what the driver keeps per VIM on the VNFM host (Helm's local helm homes) once the VIM is deleted. */
  vimRemoved?(vimId: string): Promise<void>;
}
