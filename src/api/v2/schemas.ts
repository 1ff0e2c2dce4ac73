// /vnflcm/v2 bodies (SOL003 v3.3.1, API version 2.0.0), made of the v1 pieces
// (src/api/schemas/vnflcm.ts) wherever SOL003 v3 did not change them. What v3 changed:
// vimConnectionInfo is a map whose keys are the entries' ids (an entry has no `id`),
// and heal's vnfcInstanceId names vnfcInfo entries. Strict like v1: an undeclared field
// is a 400 naming it.
import { type Static, Type } from '@sinclair/typebox';
import { BoundedMap, Id, KeyValuePairs, LIMITS, strictObject } from '../schemas/primitives.ts';
import {
  CreateVnfRequest,
  ExtVirtualLinkData,
  HealVnfRequest,
  InstantiateVnfRequest,
  ScaleVnfRequest,
  ScaleVnfToLevelRequest,
  TerminateVnfRequest,
  VimConnectionInfo,
  VimConnectionInfoModification,
  VnfInfoModificationRequest,
} from '../schemas/vnflcm.ts';
import {
  Enum,
  LCM_OPERATION_TYPES,
  LccnSubscriptionRequest,
  LifecycleChangeNotificationsFilter,
  List,
} from '../schemas/subscriptions.ts';

/** Map entries per request: as many as v1's lists take. */
const MAX_VIMS = 16;

/** A map key is the entry's id: bounded like any id, and not empty. */
const vimMap = <T extends Parameters<typeof BoundedMap>[0]>(entry: T) =>
  Type.Record(Type.String(), entry, {
    maxProperties: MAX_VIMS,
    propertyNames: { minLength: 1, maxLength: LIMITS.id },
  });

const withoutId = <T extends { id: unknown }>({ id: _id, ...rest }: T) => rest;

/**
 * One entry of v2's vimConnectionInfo map: v1's entry without `id` (the key is the id).
 * The fields of an inline VIM (vimType ETSINFV.KUBERNETES.V_1 / ETSINFV.HELM.V_3,
 * interfaceInfo, accessInfo, extra) are v1's, passed to the engine unchanged.
 */
export const VimConnectionInfoV2 = strictObject(withoutId(VimConnectionInfo.properties));
export const VimConnectionInfoMap = vimMap(VimConnectionInfoV2);

/** A PATCH's map entry: merged into the entry of the same key, or added (v1's rule). */
export const VimConnectionInfoModificationV2 = strictObject(
  withoutId(VimConnectionInfoModification.properties),
);

/** SOL003 v3.3.1 VnfExtCpConfig: a map by cpConfig id (v2.6.1's was a list). */
const VnfExtCpConfigV2 = strictObject({
  parentCpConfigId: Type.Optional(Id()),
  linkPortId: Type.Optional(Id()),
  cpProtocolData: Type.Optional(Type.Array(KeyValuePairs(), { maxItems: 16 })),
});

/** SOL003 v3.3.1 ExtVirtualLinkData: v1's, with cpConfig a map. Recorded, not interpreted (as v1). */
export const ExtVirtualLinkDataV2 = strictObject({
  ...ExtVirtualLinkData.properties,
  extCps: Type.Array(
    strictObject({
      cpdId: Id(),
      cpConfig: BoundedMap(VnfExtCpConfigV2, LIMITS.keys),
    }),
    { minItems: 1, maxItems: LIMITS.items },
  ),
});

export const CreateVnfRequestV2 = CreateVnfRequest;

export const InstantiateVnfRequestV2 = strictObject({
  ...InstantiateVnfRequest.properties,
  extVirtualLinks: Type.Optional(Type.Array(ExtVirtualLinkDataV2, { maxItems: 32 })),
  vimConnectionInfo: Type.Optional(VimConnectionInfoMap),
});

export const VnfInfoModificationRequestV2 = strictObject({
  ...withoutPkgId(VnfInfoModificationRequest.properties),
  vimConnectionInfo: Type.Optional(vimMap(VimConnectionInfoModificationV2)),
});

/** SOL003 v3 names the new package by vnfdId only (v2.4.1's vnfPkgId is gone). */
function withoutPkgId<T extends { vnfPkgId: unknown }>({ vnfPkgId: _pkg, ...rest }: T) {
  return rest;
}

export const ScaleVnfRequestV2 = ScaleVnfRequest;
export const ScaleVnfToLevelRequestV2 = ScaleVnfToLevelRequest;

/**
 * Heal: vnfcInstanceId names vnfcInfo ids (`{vduId}-{vnfcResourceInfo id}`, as the
 * reference VNFM's v2 makes them); `additionalParams.all` is the reference's flag for
 * healing storage too, which a CNF has none of: accepted, nothing more to heal.
 */
export const HealVnfRequestV2 = strictObject({
  ...HealVnfRequest.properties,
  additionalParams: Type.Optional(
    strictObject({
      ...HealVnfRequest.properties.additionalParams.properties,
      all: Type.Optional(Type.Boolean()),
    }),
  ),
});

export const TerminateVnfRequestV2 = TerminateVnfRequest;

/** SOL003 v3.3.1 LifecycleChangeNotificationsFilter: v1's, and CHANGE_VNFPKG among the operations. */
export const LifecycleChangeNotificationsFilterV2 = strictObject({
  ...LifecycleChangeNotificationsFilter.properties,
  operationTypes: Type.Optional(List(Enum([...LCM_OPERATION_TYPES, 'CHANGE_VNFPKG'] as const))),
});

/**
 * SOL003 v3.3.1 LccnSubscriptionRequest. `verbosity`: FULL, the default, only; SHORT
 * notifications (without the resource changes) are not offered.
 */
export const LccnSubscriptionRequestV2 = strictObject({
  ...LccnSubscriptionRequest.properties,
  filter: Type.Optional(LifecycleChangeNotificationsFilterV2),
  verbosity: Type.Optional(Type.Literal('FULL')),
});

export type CreateVnfRequestV2 = Static<typeof CreateVnfRequestV2>;
export type InstantiateVnfRequestV2 = Static<typeof InstantiateVnfRequestV2>;
export type VnfInfoModificationRequestV2 = Static<typeof VnfInfoModificationRequestV2>;
export type HealVnfRequestV2 = Static<typeof HealVnfRequestV2>;
