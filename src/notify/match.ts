// Whether a notification passes a subscription's filter (SOL003 §5.5.3.12, SOL005
// §9.5.3.2, SOL013 §5.5): every attribute given must match ("and"); within a list, any
// value ("or"). A filter with nothing in it matches everything.
import type { LifecycleChangeNotificationsFilter, PkgmNotificationsFilter } from '../api/schemas/index.ts';
import type { VnfPkgInfo } from '../packages/model.ts';

/** What an LCM filter is matched against: the notification and the VNF instance it is about. */
export interface LcmSubject {
  notificationType: string;
  operation?: string;
  operationState?: string;
  instance: {
    id: string;
    vnfInstanceName?: string;
    vnfdId: string;
    vnfProvider: string;
    vnfProductName: string;
    vnfSoftwareVersion: string;
    vnfdVersion: string;
  };
}

const within = <T>(list: readonly T[] | undefined, value: T | undefined) =>
  list === undefined || (value !== undefined && list.includes(value));

type Products = NonNullable<
  NonNullable<LifecycleChangeNotificationsFilter['vnfInstanceSubscriptionFilter']>['vnfProductsFromProviders']
>;

/** vnfProductsFromProviders: a provider, then (if given) one of its products, versions, VNFD versions. */
export function productMatches(
  providers: Products | undefined,
  p: { vnfProvider?: string; vnfProductName?: string; vnfSoftwareVersion?: string; vnfdVersion?: string },
): boolean {
  if (providers === undefined) return true;
  return providers.some(
    (prov) =>
      prov.vnfProvider === p.vnfProvider &&
      (prov.vnfProducts === undefined ||
        prov.vnfProducts.some(
          (prod) =>
            prod.vnfProductName === p.vnfProductName &&
            (prod.versions === undefined ||
              prod.versions.some(
                (v) => v.vnfSoftwareVersion === p.vnfSoftwareVersion && within(v.vnfdVersions, p.vnfdVersion),
              )),
        )),
  );
}

export function lcmFilterMatches(filter: LifecycleChangeNotificationsFilter, s: LcmSubject): boolean {
  const inst = filter.vnfInstanceSubscriptionFilter;
  if (inst) {
    if (!within(inst.vnfdIds, s.instance.vnfdId)) return false;
    if (!productMatches(inst.vnfProductsFromProviders, s.instance)) return false;
    if (!within(inst.vnfInstanceIds, s.instance.id)) return false;
    if (!within(inst.vnfInstanceNames, s.instance.vnfInstanceName)) return false;
  }
  if (!within<string>(filter.notificationTypes, s.notificationType)) return false;
  // Op occ attributes constrain only the op occ notification (the other types have none).
  if (s.notificationType === 'VnfLcmOperationOccurrenceNotification') {
    if (!within<string>(filter.operationTypes, s.operation)) return false;
    if (!within<string>(filter.operationStates, s.operationState)) return false;
  }
  return true;
}

/** What a package filter is matched against: the notification and the package as it reports it. */
export interface PkgSubject {
  notificationType: string;
  pkg: Pick<
    VnfPkgInfo,
    | 'id'
    | 'vnfdId'
    | 'vnfProvider'
    | 'vnfProductName'
    | 'vnfSoftwareVersion'
    | 'vnfdVersion'
    | 'operationalState'
    | 'usageState'
  >;
}

/**
 * vnfPkgId, operationalState and usageState are allowed only in filters that take
 * change notifications (src/notify/subscriptions.ts); given, they are matched against the
 * package of any package notification, so a subscription to one package id does not
 * hear of every other package's onboarding.
 */
export function pkgFilterMatches(filter: PkgmNotificationsFilter, s: PkgSubject): boolean {
  return (
    within<string>(filter.notificationTypes, s.notificationType) &&
    within(filter.vnfdId, s.pkg.vnfdId) &&
    productMatches(filter.vnfProductsFromProviders, s.pkg) &&
    within(filter.vnfPkgId, s.pkg.id) &&
    within(filter.operationalState, s.pkg.operationalState) &&
    within(filter.usageState, s.pkg.usageState)
  );
}
