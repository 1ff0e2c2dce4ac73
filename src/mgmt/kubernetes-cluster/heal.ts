// Heal. A VNFC heal (SOL002) swaps a VNFC's pool host for a spare: heal_start removes
// the old node from the cluster on a surviving master (and, for a master, captures the
// Helm state there), heal_end joins the replacement, gives a master Helm and the
// captured state, and updates the same VIM: the new address at the old one's index in
// masternode_ip. A whole-VNF heal (SOL003, no vnfcInstanceId) reinstalls the cluster on
// the re-bound hosts and updates the same VIM in place.
import { conflict } from '../../errors.ts';
import type { BoundHost } from '../../infra/hosts/model.ts';
import type { HookContext, HookResult } from '../driver.ts';
import { type ClusterNode, clusterNode, clusterNodes } from './cluster.ts';
import { captureHelmState, type HelmState, restoreHelmState } from './helm-state.ts';
import { plan } from './instantiate.ts';
import { API_PORT, type ClusterOp, withOp } from './ops.ts';
import { parseClusterParams } from './params.ts';
import { helmInstall, install, joinInfo, joinMaster, joinWorker, removeNode, verify } from './steps.ts';
import { masterAddress, replaceMaster, SharedSecretError, vimConnection } from './vim-info.ts';
import { storedCluster, upsertVim } from './vim.ts';

export const UPDATE_STEP = 'vim.update';
const CAPTURE_STEP = 'helm.capture';

/** SOL003 heal of the whole VNF: the request names no VNFC. */
export function isWholeVnfHeal(operationParams: Record<string, unknown>): boolean {
  const ids = operationParams.vnfcInstanceId;
  return !Array.isArray(ids) || ids.length === 0;
}

/** The hosts a VNFC heal replaces, as bound before it. */
function healedHosts(ctx: HookContext): BoundHost[] {
  if (ctx.changes.replaced.length > 0) return ctx.changes.replaced.map((r) => r.before);
  if (ctx.changes.removed.length > 0) return ctx.changes.removed;
  const ids = new Set((ctx.opOcc.operationParams.vnfcInstanceId as string[] | undefined) ?? []);
  return ctx.vnfcs.filter((b) => ids.has(b.vnfcId));
}

const onlyMaster = (vnfcId: string) =>
  conflict(
    `VNFC ${vnfcId} is the cluster's only master: healing it would lose the cluster; add a master first, or heal the whole VNF`,
  );

export async function healStart(ctx: HookContext): Promise<void> {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const stored = await storedCluster(ctx);
  if (isWholeVnfHeal(ctx.opOcc.operationParams)) {
    // Rebuilt from scratch: Helm CNFs on it fail until heal_end updates the VIM.
    await ctx.vims.setStatus(stored.vimId, 'UNREACHABLE');
    return;
  }
  const healed = healedHosts(ctx).map((b) => clusterNode(b, p));
  const healedIds = new Set(healed.map((n) => n.bound.vnfcId));
  const survivors = clusterNodes(ctx.vnfcs, p).masters.filter((m) => !healedIds.has(m.bound.vnfcId));
  if (survivors.length === 0) throw onlyMaster(healed.find((n) => n.role === 'master')?.bound.vnfcId ?? '?');
  await withOp(ctx, p, stored, async (op) => {
    const on = survivors[0]!;
    for (const n of healed) await removeNode(op, on, n);
    if (p.helm_installation_script_path && healed.some((n) => n.role === 'master'))
      await ctx.journal.step(CAPTURE_STEP, () => captureHelmState(op, on));
  });
}

/** The Helm state heal_start captured (a framework that gives no heal_start: captured now). */
async function helmState(op: ClusterOp, from: ClusterNode): Promise<HelmState> {
  return (
    (await op.ctx.journal.done<HelmState>(CAPTURE_STEP)) ??
    op.ctx.journal.step(CAPTURE_STEP, () => captureHelmState(op, from))
  );
}

/** Whether the API server URL is served by `node` (its node IP or SSH address). */
function servedBy(server: string, node: ClusterNode): boolean {
  const host = new URL(server).hostname.replace(/^\[|\]$/g, '');
  return host === node.nodeIp || host === node.bound.host.address;
}

const apiUrl = (ip: string) => `https://${ip.includes(':') ? `[${ip}]` : ip}:${API_PORT}`;

export async function healEnd(ctx: HookContext): Promise<HookResult> {
  const stored = await storedCluster(ctx);
  if (isWholeVnfHeal(ctx.opOcc.operationParams)) return reinstall(ctx, stored);
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  const { masters } = clusterNodes(ctx.vnfcs, p);
  const pairs = ctx.changes.replaced.map((r) => ({
    before: clusterNode(r.before, p),
    after: clusterNode(r.after, p),
  }));
  const newIds = new Set(pairs.map((r) => r.after.bound.vnfcId));
  const survivors = masters.filter((m) => !newIds.has(m.bound.vnfcId));
  if (survivors.length === 0) throw onlyMaster(pairs[0]?.before.bound.vnfcId ?? '?');
  // Before any SSH: a new master must log in with the secret helm_info holds for all masters.
  let helmInfo = stored.helmInfo;
  for (const { after } of pairs.filter((r) => r.after.role === 'master')) {
    const h = after.bound.host;
    if (
      helmInfo &&
      ((h.password ?? '') !== (helmInfo.masternode_password ?? '') ||
        (h.private_key ?? '') !== (helmInfo.masternode_private_key ?? ''))
    )
      throw new SharedSecretError(
        `replacement master host ${h.id} logs in with another password or key than the cluster's other masters; helm_info holds one credential for all masters`,
      );
  }
  return withOp(ctx, p, stored, async (op) => {
    const on = survivors[0]!;
    const join = await joinInfo(op, on);
    let server = stored.server;
    for (const { before, after } of pairs) {
      await op.staged(after);
      if (after.role === 'worker') {
        await joinWorker(op, after, join);
        continue;
      }
      await joinMaster(op, after, masters, join);
      if (p.helm_installation_script_path) {
        const state = await helmState(op, on);
        await helmInstall(op, after);
        await ctx.journal.step(`helm.restore:${after.bound.vnfcId}`, async () => {
          await restoreHelmState(op, after, state);
          return true;
        });
      }
      if (helmInfo) helmInfo = replaceMaster(helmInfo, masterAddress(before.bound.host), after.bound.host);
      // The API server the VIM names is gone with its host: a surviving master's serves the same CA.
      if (p.master.cluster_cp_name === undefined && servedBy(server, before)) server = apiUrl(on.nodeIp);
    }
    const facts = { ...stored, server, join };
    await verify(op, facts, masters);
    const { vim } = await upsertVim(ctx, UPDATE_STEP, stored.vimName, facts, helmInfo);
    return { vimConnectionInfo: [vimConnection(vim)] };
  });
}

/** Whole-VNF heal: the cluster installed again on the hosts bound now; the same VIM gets the new endpoint, CA, token and helm_info. */
async function reinstall(
  ctx: HookContext,
  stored: Awaited<ReturnType<typeof storedCluster>>,
): Promise<HookResult> {
  const { p, masters, workers, helmInfo } = plan(ctx);
  return withOp(ctx, p, undefined, async (op) => {
    const facts = await install(op, masters, workers, 'reinstall.');
    const { vim } = await upsertVim(ctx, UPDATE_STEP, stored.vimName, facts, helmInfo);
    await ctx.vims.setStatus(vim.id, 'REACHABLE');
    return { vimConnectionInfo: [vimConnection(vim)] };
  });
}
