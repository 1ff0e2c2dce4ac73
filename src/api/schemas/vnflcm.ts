// /vnflcm/v1 bodies (SOL003 v2.6.1, with SOL002's vnfcInstanceId on heal). Each is
// strict: an undeclared field is a 400 naming it, so a typo such as `vnfcInstanceIds`
// can never fall back to a default (a whole-VNF heal). Only what needs the instance or
// its VNFD (state, aspects, levels, VDU ids, package paths) is checked in the
// operations' accept().
import { type Static, Type } from '@sinclair/typebox';
import { VimExtra } from './vims.ts';
import {
  BooleanOrString,
  BoundedMap,
  Description,
  Id,
  KeyValuePairs,
  LIMITS,
  Name,
  OptionalBody,
  Password,
  strictObject,
  Url,
} from './primitives.ts';

/** Helm mode: `helmparameter` entries per release, and the characters of one entry. */
export const HELM_PARAMETER_LIMITS = { count: 100, length: 4096 } as const;
/** A package-relative path (chart archive, manifest file). */
const PackagePath = () => Type.String({ minLength: 1, maxLength: 1024 });
/** Kubernetes namespace (a DNS-1123 label; the syntax is checked by the driver). */
const Namespace = () => Type.String({ maxLength: 63 });

/** One entry of Helm mode's `using_helm_install_param` (docs/helm-mode.md §5). */
export const HelmInstallParam = strictObject({
  exthelmchart: Type.Optional(BooleanOrString()),
  helmchartfile_path: Type.Optional(PackagePath()),
  helmreleasename: Type.Optional(Name()),
  helmrepositoryname: Type.Optional(Name()),
  helmchartname: Type.Optional(Name()),
  exthelmrepo_url: Type.Optional(Url()),
  helmparameter: Type.Optional(
    Type.Array(Type.String({ maxLength: HELM_PARAMETER_LIMITS.length }), {
      maxItems: HELM_PARAMETER_LIMITS.count,
    }),
  ),
});

/**
 * Instantiate's additionalParams: the keys of manifest mode and Helm mode (v1's and the v2
 * style's; a request uses one style, src/infra/helm/params.ts), and
 * Tacker's OpenStack user-data keys (accepted so that Tacker requests pass, unused on
 * a Kubernetes VIM). Any other key is a 400.
 */
export const InstantiateAdditionalParams = strictObject({
  use_helm: Type.Optional(BooleanOrString()),
  namespace: Type.Optional(Namespace()),
  'lcm-kubernetes-def-files': Type.Optional(Type.Array(PackagePath(), { maxItems: 100 })),
  using_helm_install_param: Type.Optional(Type.Array(HelmInstallParam, { maxItems: 32 })),
  /** aspectId → values path holding the aspect's replica count. */
  helm_replica_values: Type.Optional(BoundedMap(Type.String({ maxLength: LIMITS.name }))),
  /** VDU id → the workload of a release that carries it. */
  vdu_mapping: Type.Optional(
    BoundedMap(
      strictObject({
        name: Type.String({ maxLength: 253 }),
        kind: Type.String({ maxLength: 64 }),
        helmreleasename: Name(),
      }),
    ),
  ),
  /** v2 style (SOL003 v3 clients): the package chart archive of the one release. */
  helm_chart_path: Type.Optional(PackagePath()),
  /** v2 style: values by values path, each passed exactly (helm --set-json; src/infra/helm/params.ts). */
  helm_parameters: Type.Optional(BoundedMap(Type.Unknown())),
  /** v2 style: VDU id → the values path of its replica count. */
  helm_value_names: Type.Optional(
    BoundedMap(strictObject({ replica: Type.Optional(Type.String({ maxLength: LIMITS.name })) })),
  ),
  'lcm-operation-user-data': Type.Optional(PackagePath()),
  'lcm-operation-user-data-class': Type.Optional(Name()),
  /** The kubernetes-cluster MgmtDriver's parameters (Tacker's key); its validate() checks every field. */
  k8s_cluster_installation_param: Type.Optional(KeyValuePairs()),
});

/** The other operations take no additionalParams: only `{}` passes. */
const NoAdditionalParams = () => strictObject({});

export const VimConnectionInfo = strictObject({
  id: Id(),
  vimId: Type.Optional(Id()),
  vimType: Type.String({ minLength: 1, maxLength: LIMITS.name }),
  interfaceInfo: Type.Optional(KeyValuePairs()),
  accessInfo: Type.Optional(KeyValuePairs()),
  extra: Type.Optional(VimExtra),
});

export const CreateVnfRequest = strictObject({
  vnfdId: Id(),
  vnfInstanceName: Type.Optional(Name()),
  vnfInstanceDescription: Type.Optional(Description()),
  metadata: Type.Optional(KeyValuePairs()),
});

/** A free-form object a PATCH merges into (RFC 7396): `null` removes the whole attribute. */
const PatchPairs = () => Type.Union([KeyValuePairs(), Type.Null()]);

/**
 * An entry of a PATCH's vimConnectionInfo: merged into the entry of the same id (RFC 7396),
 * or added (then vimType is required: checked in accept, naming the entry).
 */
export const VimConnectionInfoModification = strictObject({
  id: Id(),
  vimId: Type.Optional(Id()),
  vimType: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.name })),
  interfaceInfo: Type.Optional(PatchPairs()),
  accessInfo: Type.Optional(PatchPairs()),
  extra: Type.Optional(Type.Union([VimExtra, Type.Null()])),
});

/** PATCH /vnf_instances/{id} (SOL003 v2.6.1 VnfInfoModificationRequest): the fields this VNFM modifies. */
export const VnfInfoModificationRequest = strictObject({
  vnfInstanceName: Type.Optional(Name()),
  vnfInstanceDescription: Type.Optional(Description()),
  vnfdId: Type.Optional(Id()),
  /** SOL003 v2.4.1's (and Tacker v1's) way to name the package: its vnfdId is the one used. */
  vnfPkgId: Type.Optional(Id()),
  vnfConfigurableProperties: Type.Optional(PatchPairs()),
  metadata: Type.Optional(PatchPairs()),
  extensions: Type.Optional(PatchPairs()),
  vimConnectionInfo: Type.Optional(Type.Array(VimConnectionInfoModification, { maxItems: 16 })),
});

/** Links a CNF does not have here (its networking is the chart's or manifests'): absent or empty. */
const Unsupported = () => Type.Array(KeyValuePairs(), { maxItems: 0 });

/**
 * SOL003 v2.6.1 ExtVirtualLinkData, as Tacker's requests for VM-based VNFs send it (a
 * Kubernetes-cluster VNF's masters and workers on networks). Only a hostpool VIM takes
 * them (its hosts' `cps` give the addresses); on a Kubernetes VIM instantiate refuses a
 * non-empty list (src/lcm/operations/instantiate.ts). Protocol data and link ports are
 * bounded maps: they are recorded, not interpreted.
 */
export const ExtVirtualLinkData = strictObject({
  id: Id(),
  vimConnectionId: Type.Optional(Id()),
  resourceProviderId: Type.Optional(Id()),
  resourceId: Id(),
  extCps: Type.Array(
    strictObject({
      cpdId: Id(),
      cpConfig: Type.Optional(
        Type.Array(
          strictObject({
            cpInstanceId: Type.Optional(Id()),
            linkPortId: Type.Optional(Id()),
            cpProtocolData: Type.Optional(Type.Array(KeyValuePairs(), { maxItems: 16 })),
          }),
          { maxItems: LIMITS.items },
        ),
      ),
    }),
    { minItems: 1, maxItems: LIMITS.items },
  ),
  extLinkPorts: Type.Optional(Type.Array(KeyValuePairs(), { maxItems: LIMITS.items })),
});

export const InstantiateVnfRequest = strictObject({
  flavourId: Id(),
  instantiationLevelId: Type.Optional(Id()),
  extVirtualLinks: Type.Optional(Type.Array(ExtVirtualLinkData, { maxItems: 32 })),
  extManagedVirtualLinks: Type.Optional(Unsupported()),
  vimConnectionInfo: Type.Optional(Type.Array(VimConnectionInfo, { maxItems: 16 })),
  localizationLanguage: Type.Optional(Type.String({ maxLength: 64 })),
  additionalParams: Type.Optional(InstantiateAdditionalParams),
  extensions: Type.Optional(KeyValuePairs()),
  vnfConfigurableProperties: Type.Optional(KeyValuePairs()),
});

/** Scale levels and steps: far above any max_scale_level a VNFD declares, small enough to add safely. */
const MAX_LEVEL = 10_000;

export const ScaleVnfRequest = strictObject({
  type: Type.Union([Type.Literal('SCALE_OUT'), Type.Literal('SCALE_IN')]),
  aspectId: Id(),
  numberOfSteps: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LEVEL })),
  additionalParams: Type.Optional(NoAdditionalParams()),
});

export const ScaleInfo = strictObject({
  aspectId: Id(),
  scaleLevel: Type.Integer({ minimum: 0, maximum: MAX_LEVEL }),
});

/** Exactly one of instantiationLevelId and scaleInfo: checked in accept(), with a plain message. */
export const ScaleVnfToLevelRequest = strictObject({
  instantiationLevelId: Type.Optional(Id()),
  scaleInfo: Type.Optional(Type.Array(ScaleInfo, { minItems: 1, maxItems: 100 })),
  additionalParams: Type.Optional(NoAdditionalParams()),
});

/**
 * SOL002 heal (vnfcInstanceId: those VNFCs) and SOL003 heal (cause, additionalParams:
 * the whole VNF) in one body; Tacker's `{"vnfcInstanceId": []}` is a whole-VNF heal.
 */
export const HealVnfRequest = strictObject({
  vnfcInstanceId: Type.Optional(Type.Array(Id(), { maxItems: LIMITS.items })),
  cause: Type.Optional(Description()),
  /** `force`: a whole-VNF heal of a Kubernetes-cluster VNF even while CNFs use its VIM (src/mgmt/kubernetes-cluster). */
  additionalParams: Type.Optional(strictObject({ force: Type.Optional(Type.Boolean()) })),
});

/** Longest graceful termination accepted: one day (Node's timers overflow at 2^31 ms, ~24.8 days). */
export const MAX_GRACEFUL_TERMINATION_SECONDS = 86_400;

export const TerminateVnfRequest = strictObject({
  terminationType: Type.Union([Type.Literal('FORCEFUL'), Type.Literal('GRACEFUL')]),
  gracefulTerminationTimeout: Type.Optional(
    Type.Integer({ minimum: 0, maximum: MAX_GRACEFUL_TERMINATION_SECONDS }),
  ),
  additionalParams: Type.Optional(NoAdditionalParams()),
});

export const CancelModeRequest = OptionalBody(
  strictObject({
    cancelMode: Type.Optional(Type.Union([Type.Literal('GRACEFUL'), Type.Literal('FORCEFUL')])),
  }),
);

/**
 * One VNFC's access for the reference VNFM's coordination scripts (VM-based VNFs): accepted
 * as its users send it, masked in the op occ; a CNF upgrade here runs no script.
 */
const VnfcParam = () =>
  strictObject({
    cp_name: Type.Optional(Name()),
    username: Type.Optional(Name()),
    password: Type.Optional(Password()),
    authentication: Type.Optional(KeyValuePairs()),
  });

/**
 * CHANGE_VNFPKG's additionalParams as the reference VNFM's v2 users send them: the upgrade
 * type (only RollingUpdate), the new package's chart (Helm mode) or manifests (manifest
 * mode), and the VDUs concerned. The coordination-script keys are VM-only: refused in accept.
 */
export const ChangeVnfPkgAdditionalParams = strictObject({
  upgrade_type: Type.Literal('RollingUpdate'),
  /** Helm mode: the new package's chart archive, for the instance's package-chart releases. */
  helm_chart_path: Type.Optional(PackagePath()),
  /** Manifest mode: the new package's manifests (default: the same paths as at instantiate). */
  'lcm-kubernetes-def-files': Type.Optional(Type.Array(PackagePath(), { minItems: 1, maxItems: 100 })),
  vdu_params: Type.Optional(
    Type.Array(
      strictObject({
        vdu_id: Id(),
        old_vnfc_param: Type.Optional(VnfcParam()),
        new_vnfc_param: Type.Optional(VnfcParam()),
      }),
      { maxItems: 100 },
    ),
  ),
  'lcm-operation-coordinate-old-vnf': Type.Optional(PackagePath()),
  'lcm-operation-coordinate-old-vnf-class': Type.Optional(Name()),
  'lcm-operation-coordinate-new-vnf': Type.Optional(PackagePath()),
  'lcm-operation-coordinate-new-vnf-class': Type.Optional(Name()),
});

/**
 * SOL003 v3.3.1 ChangeCurrentVnfPkgRequest (§5.5.2.11a). vimConnectionInfo is SOL003 v3's map
 * by id; a CNF has no external links here (absent or empty).
 */
export const ChangeCurrentVnfPkgRequest = strictObject({
  vnfdId: Id(),
  extVirtualLinks: Type.Optional(Unsupported()),
  extManagedVirtualLinks: Type.Optional(Unsupported()),
  vimConnectionInfo: Type.Optional(BoundedMap(Type.Omit(VimConnectionInfo, ['id']), 16)),
  additionalParams: ChangeVnfPkgAdditionalParams,
  extensions: Type.Optional(KeyValuePairs()),
  vnfConfigurableProperties: Type.Optional(KeyValuePairs()),
});

export type CreateVnfRequest = Static<typeof CreateVnfRequest>;
export type VnfInfoModificationRequest = Static<typeof VnfInfoModificationRequest>;
export type VimConnectionInfoModification = Static<typeof VimConnectionInfoModification>;
export type InstantiateVnfRequest = Static<typeof InstantiateVnfRequest>;
export type ScaleVnfRequest = Static<typeof ScaleVnfRequest>;
export type ScaleVnfToLevelRequest = Static<typeof ScaleVnfToLevelRequest>;
export type HealVnfRequest = Static<typeof HealVnfRequest>;
export type TerminateVnfRequest = Static<typeof TerminateVnfRequest>;
export type CancelModeRequest = Static<typeof CancelModeRequest>;
export type ChangeCurrentVnfPkgRequest = Static<typeof ChangeCurrentVnfPkgRequest>;
