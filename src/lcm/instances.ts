// Creating and deleting VNF instance resources (SOL003 §5.4.2/§5.4.3): an
// instance names an onboarded, enabled package by vnfdId; the package is IN_USE
// while any instance refers to it.
import { randomUUID } from 'node:crypto';
import { deleteInstance, getInstance, insertInstance, instancesOfPackage } from '../db/queries/instances.ts';
import { activeOpOcc } from '../db/queries/op-occs.ts';
import { getPackage, packageWithVnfdId, setPackageUsage } from '../db/queries/packages.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';
import type { LcmContext } from './context.ts';
import type { VnfInstance } from './model.ts';
import type { VnfPkgInfo } from '../packages/model.ts';
import type { CreateVnfRequest } from '../api/schemas/vnflcm.ts';
import { enqueueIdentifierNotifications } from '../notify/outbox.ts';
import { inOutboxTransaction } from '../notify/wake.ts';

/**
 * The package of `vnfdId` that an instance may be created from or moved to: onboarded and
 * enabled. `field` names the request field in the errors ("vnfdId: …") when there is one.
 */
export async function usablePackage(ctx: LcmContext, vnfdId: string, field = ''): Promise<VnfPkgInfo> {
  const at = field ? `${field}: ` : '';
  const pkgId = await packageWithVnfdId(ctx.db, vnfdId);
  const pkg = pkgId ? await getPackage(ctx.db, pkgId) : undefined;
  if (!pkg || pkg.onboardingState !== 'ONBOARDED')
    throw unprocessable(`${at}no onboarded VNF package has vnfdId ${vnfdId}`);
  if (pkg.operationalState !== 'ENABLED')
    throw conflict(`${at}VNF package ${pkg.id} of vnfdId ${vnfdId} is DISABLED`);
  return pkg;
}

/** The attributes an instance takes from its package. */
export function packageAttributes(pkg: VnfPkgInfo) {
  return {
    vnfdId: pkg.vnfdId ?? '',
    vnfPkgId: pkg.id,
    vnfProvider: pkg.vnfProvider ?? '',
    vnfProductName: pkg.vnfProductName ?? '',
    vnfSoftwareVersion: pkg.vnfSoftwareVersion ?? '',
    vnfdVersion: pkg.vnfdVersion ?? '',
  };
}

/** Sets the package's usageState from the instances that refer to it now. */
export async function setUsage(ctx: LcmContext, pkgId: string): Promise<void> {
  const pkg = await getPackage(ctx.db, pkgId);
  if (!pkg) return;
  const usageState = (await instancesOfPackage(ctx.db, pkgId)) > 0 ? 'IN_USE' : 'NOT_IN_USE';
  // Only the usage column: rewriting the whole package read here could undo a concurrent
  // PATCH (an operationalState change already notified).
  if (pkg.usageState !== usageState) await setPackageUsage(ctx.db, pkgId, usageState);
}

export async function createVnfInstance(ctx: LcmContext, req: CreateVnfRequest): Promise<VnfInstance> {
  const pkg = await usablePackage(ctx, req.vnfdId);
  const instance: VnfInstance = {
    id: randomUUID(),
    ...(req.vnfInstanceName !== undefined ? { vnfInstanceName: req.vnfInstanceName } : {}),
    ...(req.vnfInstanceDescription !== undefined
      ? { vnfInstanceDescription: req.vnfInstanceDescription }
      : {}),
    ...packageAttributes(pkg),
    vnfdId: req.vnfdId,
    instantiationState: 'NOT_INSTANTIATED',
    ...(req.metadata ? { metadata: req.metadata } : {}),
  };
  // The resource and its creation notifications commit together.
  await inOutboxTransaction(ctx.db, async (tx) => {
    await insertInstance(tx, instance);
    await enqueueIdentifierNotifications(tx, 'VnfIdentifierCreationNotification', instance);
  });
  await setUsage(ctx, pkg.id);
  return instance;
}

export async function deleteVnfInstance(ctx: LcmContext, id: string): Promise<void> {
  const stored = await getInstance(ctx.db, id);
  if (!stored) throw notFound(`VNF instance ${id} does not exist`);
  if (stored.instance.instantiationState !== 'NOT_INSTANTIATED') {
    throw conflict(`VNF instance ${id} is INSTANTIATED; terminate it first`);
  }
  const active = await activeOpOcc(ctx.db, id);
  if (active)
    throw conflict(
      `VNF instance ${id} has operation ${active.operation} (${active.id}) in state ${active.operationState}`,
    );
  await inOutboxTransaction(ctx.db, async (tx) => {
    // Reported once, by the request that deleted it.
    if (await deleteInstance(tx, id)) {
      await enqueueIdentifierNotifications(tx, 'VnfIdentifierDeletionNotification', stored.instance);
    }
  });
  await setUsage(ctx, stored.instance.vnfPkgId);
}
