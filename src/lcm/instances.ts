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
import type { CreateVnfRequest } from '../api/schemas/vnflcm.ts';
import { enqueueIdentifierNotifications } from '../notify/outbox.ts';
import { inOutboxTransaction } from '../notify/wake.ts';

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
  const pkgId = await packageWithVnfdId(ctx.db, req.vnfdId);
  const pkg = pkgId ? await getPackage(ctx.db, pkgId) : undefined;
  if (!pkg || pkg.onboardingState !== 'ONBOARDED')
    throw unprocessable(`no onboarded VNF package has vnfdId ${req.vnfdId}`);
  if (pkg.operationalState !== 'ENABLED')
    throw conflict(`VNF package ${pkg.id} of vnfdId ${req.vnfdId} is DISABLED`);
  const instance: VnfInstance = {
    id: randomUUID(),
    ...(req.vnfInstanceName !== undefined ? { vnfInstanceName: req.vnfInstanceName } : {}),
    ...(req.vnfInstanceDescription !== undefined
      ? { vnfInstanceDescription: req.vnfInstanceDescription }
      : {}),
    vnfdId: req.vnfdId,
    vnfProvider: pkg.vnfProvider ?? '',
    vnfProductName: pkg.vnfProductName ?? '',
    vnfSoftwareVersion: pkg.vnfSoftwareVersion ?? '',
    vnfdVersion: pkg.vnfdVersion ?? '',
    vnfPkgId: pkg.id,
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
