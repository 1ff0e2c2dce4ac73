// SOL005 notification bodies, one per matching subscription (each carries its
// subscriptionId): §9.5.2.8 VnfPackageOnboardingNotification when a package becomes
// ONBOARDED, §9.5.2.9 VnfPackageChangeNotification when an onboarded package's
// operationalState changes (OP_STATE_CHANGE) or it is deleted (PKG_DELETE). SOL005
// v2.6.1 has no change type for usageState or onboardingState changes.
import { randomUUID } from 'node:crypto';
import { pkgLinks, type VnfPkgInfo } from '../packages/model.ts';
import { subscriptionsPath } from './model.ts';

/** What happened to the package; its notificationType prefix 'VnfPackage' routes delivery to vnfpkgm. */
export type PackageEvent =
  | { notificationType: 'VnfPackageOnboardingNotification' }
  | { notificationType: 'VnfPackageChangeNotification'; changeType: 'OP_STATE_CHANGE' | 'PKG_DELETE' };

export const PACKAGE_ONBOARDED: PackageEvent = { notificationType: 'VnfPackageOnboardingNotification' };
export const PACKAGE_OP_STATE_CHANGED: PackageEvent = {
  notificationType: 'VnfPackageChangeNotification',
  changeType: 'OP_STATE_CHANGE',
};
export const PACKAGE_DELETED: PackageEvent = {
  notificationType: 'VnfPackageChangeNotification',
  changeType: 'PKG_DELETE',
};

/** `pkg` as it is after the change (for PKG_DELETE: as it was when deleted); it is onboarded, so it has its vnfdId. */
export function packageNotification(
  event: PackageEvent,
  pkg: VnfPkgInfo,
  subscriptionId: string,
  timeStamp: string,
): { id: string } & Record<string, unknown> {
  return {
    id: randomUUID(),
    notificationType: event.notificationType,
    subscriptionId,
    timeStamp,
    vnfPkgId: pkg.id,
    vnfdId: pkg.vnfdId,
    ...('changeType' in event ? { changeType: event.changeType } : {}),
    // SOL005 Table 9.5.2.9-1: the new operational state, only for OP_STATE_CHANGE.
    ...('changeType' in event && event.changeType === 'OP_STATE_CHANGE'
      ? { operationalState: pkg.operationalState }
      : {}),
    _links: {
      vnfPackage: pkgLinks(pkg.id).self,
      subscription: { href: `${subscriptionsPath('vnfpkgm')}/${subscriptionId}` },
    },
  };
}
