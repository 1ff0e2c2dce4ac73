// Checks at accept, before an op occ exists: what the cluster cannot do is refused with
// a 400/409 naming why, instead of failing half-way on the hosts.
import { badRequest, conflict } from '../../errors.ts';
import type { LcmOperation } from '../../lcm/model.ts';
import type { Flavour } from '../../packages/vnfd/index.ts';
import type { MgmtDriver } from '../driver.ts';
import { isWholeVnfHeal } from './heal.ts';
import { type ClusterParams, parseClusterParams } from './params.ts';
import { refuseWhileUsed } from './terminate.ts';

type AcceptContext = Parameters<NonNullable<MgmtDriver['accept']>>[0];
type Body = Record<string, unknown>;

/** Aspects that scale the masters' VDU (master_node.aspect_id, and any aspect with deltas for it). */
export function masterAspects(flavour: Flavour, p: ClusterParams): Set<string> {
  const out = new Set<string>(p.master.aspectId !== undefined ? [p.master.aspectId] : []);
  for (const a of flavour.aspects) if (Object.hasOwn(a.vduDeltas, p.master.vduId)) out.add(a.id);
  return out;
}

function currentLevel(ctx: AcceptContext, aspectId: string): number {
  const status = (
    ctx.instance.instantiatedVnfInfo as
      { scaleStatus?: { aspectId: string; scaleLevel: number }[] } | undefined
  )?.scaleStatus;
  return status?.find((s) => s.aspectId === aspectId)?.scaleLevel ?? 0;
}

function refuseMasterScale(ctx: AcceptContext, p: ClusterParams, body: Body, operation: LcmOperation): void {
  const aspects = masterAspects(ctx.flavour, p);
  const refuse = (aspect: string) =>
    badRequest(
      `aspect ${aspect} scales the cluster's masters (VDU ${p.master.vduId}); only workers scale (heal replaces a master)`,
    );
  if (operation === 'SCALE') {
    if (typeof body.aspectId === 'string' && aspects.has(body.aspectId)) throw refuse(body.aspectId);
    return;
  }
  // SCALE_TO_LEVEL: a target that changes a master aspect's level.
  const targets: { aspectId: string; scaleLevel: number }[] = [];
  if (Array.isArray(body.scaleInfo)) targets.push(...(body.scaleInfo as typeof targets));
  if (typeof body.instantiationLevelId === 'string') {
    const level = ctx.flavour.instantiationLevels.find((l) => l.id === body.instantiationLevelId);
    for (const a of aspects) targets.push({ aspectId: a, scaleLevel: level?.scaleInfo[a] ?? 0 });
  }
  const changed = targets.find(
    (t) => aspects.has(t.aspectId) && t.scaleLevel !== currentLevel(ctx, t.aspectId),
  );
  if (changed) throw refuse(changed.aspectId);
}

async function refuseHeal(ctx: AcceptContext, p: ClusterParams, body: Body): Promise<void> {
  if (isWholeVnfHeal(body)) {
    const extra = body.additionalParams as Body | undefined;
    await refuseWhileUsed(
      ctx,
      'heal of the whole cluster VNF (it is rebuilt; pass additionalParams.force: true to do it anyway)',
      extra?.force === true,
    );
    return;
  }
  const ids = new Set(body.vnfcInstanceId as string[]);
  const masters = ctx.vnfcs.filter((b) => b.vduId === p.master.vduId);
  const healed = masters.filter((m) => ids.has(m.vnfcId));
  if (healed.length > 0 && healed.length >= masters.length)
    throw conflict(
      masters.length === 1
        ? `VNFC ${healed[0]!.vnfcId} is the cluster's only master: healing it would lose the cluster; add a master first, or heal the whole VNF`
        : 'the request heals every master of the cluster at once; heal them one at a time (a survivor carries the cluster over)',
    );
}

export async function accept(ctx: AcceptContext, operation: LcmOperation, body: Body): Promise<void> {
  const p = parseClusterParams(ctx.flavour, ctx.instantiateParams);
  if (operation === 'SCALE' || operation === 'SCALE_TO_LEVEL') refuseMasterScale(ctx, p, body, operation);
  else if (operation === 'HEAL') await refuseHeal(ctx, p, body);
  else if (operation === 'TERMINATE') await refuseWhileUsed(ctx, 'terminate');
}
