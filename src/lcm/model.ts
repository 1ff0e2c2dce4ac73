// SOL003 v2.6.1 VnfInstance and VnfLcmOpOcc as the VNFM holds them: the one
// definition shared by the store, the workflows and the API.
import { type Static, Type } from '@sinclair/typebox';
import type { ProblemDetails } from '../errors.ts';
import { MASK, maskSecrets } from '../vim/model.ts';

const Str = () => Type.String();
const Free = () => Type.Record(Type.String(), Type.Unknown());
const oneOf = <T extends string>(...values: T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const InstantiationState = oneOf('NOT_INSTANTIATED', 'INSTANTIATED');
export type InstantiationState = Static<typeof InstantiationState>;
export const LcmOperation = oneOf(
  'INSTANTIATE',
  'SCALE',
  'SCALE_TO_LEVEL',
  'HEAL',
  'TERMINATE',
  'MODIFY_INFO',
  'CHANGE_VNFPKG',
);
export type LcmOperation = Static<typeof LcmOperation>;
/** SOL003's op occ states, once: the model, subscription filters and the CLI use this list. */
export const OPERATION_STATES = [
  'STARTING',
  'PROCESSING',
  'COMPLETED',
  'FAILED_TEMP',
  'FAILED',
  'ROLLING_BACK',
  'ROLLED_BACK',
] as const;
export const OperationState = oneOf(...OPERATION_STATES);
export type OperationState = Static<typeof OperationState>;

/** Op occ states that hold the instance: no other operation may start (SOL003 §5.4.1.3). */
export const BLOCKING_STATES: OperationState[] = ['STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK'];

// The model is TypeBox schemas and the types are derived from them, so the one
// definition also gives the API its response schemas (src/api/schemas/responses.ts).

export const VimConnectionInfo = Type.Object({
  id: Str(),
  vimId: Type.Optional(Str()),
  vimType: Str(),
  interfaceInfo: Type.Optional(Free()),
  accessInfo: Type.Optional(Free()),
  extra: Type.Optional(Free()),
});
export type VimConnectionInfo = Static<typeof VimConnectionInfo>;

/** SOL003 VnfcCpInfo: pool hosts' connection points with their addresses. */
export const VnfcCpInfo = Type.Object({
  id: Str(),
  cpdId: Str(),
  cpProtocolInfo: Type.Optional(
    Type.Array(
      Type.Object({
        layerProtocol: Type.Literal('IP_OVER_ETHERNET'),
        ipOverEthernet: Type.Object({
          ipAddresses: Type.Array(Type.Object({ type: oneOf('IPV4', 'IPV6'), addresses: Type.Array(Str()) })),
        }),
      }),
    ),
  ),
});
export type VnfcCpInfo = Static<typeof VnfcCpInfo>;

export const ComputeResource = Type.Object({
  vimConnectionId: Str(),
  resourceId: Str(),
  vimLevelResourceType: Str(),
});

export const VnfcResourceInfo = Type.Object({
  id: Str(),
  vduId: Str(),
  computeResource: ComputeResource,
  vnfcCpInfo: Type.Optional(Type.Array(VnfcCpInfo)),
  metadata: Type.Optional(Free()),
});
export type VnfcResourceInfo = Static<typeof VnfcResourceInfo>;

export const ScaleInfo = Type.Object({ aspectId: Str(), scaleLevel: Type.Number() });
export type ScaleInfo = Static<typeof ScaleInfo>;

export const InstantiatedVnfInfo = Type.Object({
  flavourId: Str(),
  vnfState: oneOf('STARTED', 'STOPPED'),
  scaleStatus: Type.Optional(Type.Array(ScaleInfo)),
  vnfcResourceInfo: Type.Optional(Type.Array(VnfcResourceInfo)),
  /** Not SOL003: the instantiation level the instance was created at (scale_to_level and heal need it). */
  instantiationLevelId: Type.Optional(Str()),
});
export type InstantiatedVnfInfo = Static<typeof InstantiatedVnfInfo>;

export const VnfInstance = Type.Object({
  id: Str(),
  vnfInstanceName: Type.Optional(Str()),
  vnfInstanceDescription: Type.Optional(Str()),
  vnfdId: Str(),
  vnfProvider: Str(),
  vnfProductName: Str(),
  vnfSoftwareVersion: Str(),
  vnfdVersion: Str(),
  vnfPkgId: Str(),
  vnfConfigurableProperties: Type.Optional(Free()),
  vimConnectionInfo: Type.Optional(Type.Array(VimConnectionInfo)),
  instantiationState: InstantiationState,
  instantiatedVnfInfo: Type.Optional(InstantiatedVnfInfo),
  metadata: Type.Optional(Free()),
  extensions: Type.Optional(Free()),
});
export type VnfInstance = Static<typeof VnfInstance>;

export const AffectedVnfc = Type.Object({
  id: Str(),
  vduId: Str(),
  changeType: oneOf('ADDED', 'REMOVED', 'MODIFIED'),
  computeResource: ComputeResource,
});
export type AffectedVnfc = Static<typeof AffectedVnfc>;

/**
 * Not SOL003 (an extension, SOL013 §4.6: `_`-prefixed): where a running operation is.
 * Written by the worker while it runs (src/lcm/progress.ts) and kept when it ends: at
 * FAILED_TEMP it names the step that failed, at COMPLETED it holds the final pod counts.
 * A retry or rollback starts it afresh.
 */
export const OpOccProgress = Type.Object({
  /** The current step: "helm install vdu1", "wait for readiness", "mgmt driver instantiate_end". */
  step: Str(),
  /** The step's place among the steps of its kind (releases installed, objects applied), when known. */
  done: Type.Optional(Type.Number()),
  total: Type.Optional(Type.Number()),
  /** The last message within the step (bounded; never a secret). */
  message: Type.Optional(Str()),
  updatedAt: Str(),
  /** Pods ready / wanted per VDU, as last read while waiting for readiness. */
  vdus: Type.Optional(
    Type.Record(Type.String(), Type.Object({ ready: Type.Number(), wanted: Type.Number() })),
  ),
});
export type OpOccProgress = Static<typeof OpOccProgress>;

/** SOL013 ProblemDetails (src/errors.ts has the type the API raises). */
const Problem = Type.Unsafe<ProblemDetails>(
  Type.Object({
    type: Type.Optional(Str()),
    title: Type.Optional(Str()),
    status: Type.Number(),
    detail: Str(),
    instance: Type.Optional(Str()),
  }),
);

export const VnfLcmOpOcc = Type.Object({
  id: Str(),
  operationState: OperationState,
  stateEnteredTime: Str(),
  startTime: Str(),
  vnfInstanceId: Str(),
  operation: LcmOperation,
  isAutomaticInvocation: Type.Boolean(),
  operationParams: Free(),
  isCancelPending: Type.Boolean(),
  cancelMode: Type.Optional(oneOf('GRACEFUL', 'FORCEFUL')),
  error: Type.Optional(Problem),
  resourceChanges: Type.Optional(Type.Object({ affectedVnfcs: Type.Array(AffectedVnfc) })),
  _progress: Type.Optional(OpOccProgress),
});
export type VnfLcmOpOcc = Static<typeof VnfLcmOpOcc>;

export const INSTANCE_DEFAULT_EXCLUDED = [
  'vnfConfigurableProperties',
  'vimConnectionInfo',
  'instantiatedVnfInfo',
  'metadata',
  'extensions',
];
export const OP_OCC_DEFAULT_EXCLUDED = [
  'operationParams',
  'error',
  'resourceChanges',
  'changedInfo',
  'changedExtConnectivity',
];

export function instanceLinks(i: VnfInstance) {
  const self = `/vnflcm/v1/vnf_instances/${i.id}`;
  const links: Record<string, { href: string }> = { self: { href: self } };
  if (i.instantiationState === 'NOT_INSTANTIATED') links.instantiate = { href: `${self}/instantiate` };
  else {
    for (const op of ['terminate', 'scale', 'scale_to_level', 'heal']) links[op] = { href: `${self}/${op}` };
  }
  return links;
}

export function opOccLinks(o: VnfLcmOpOcc) {
  const self = `/vnflcm/v1/vnf_lcm_op_occs/${o.id}`;
  const links: Record<string, { href: string }> = {
    self: { href: self },
    vnfInstance: { href: `/vnflcm/v1/vnf_instances/${o.vnfInstanceId}` },
  };
  if (o.operationState === 'FAILED_TEMP') {
    for (const a of ['retry', 'rollback', 'fail']) links[a] = { href: `${self}/${a}` };
  }
  if (o.operationState === 'STARTING' || o.operationState === 'PROCESSING')
    links.cancel = { href: `${self}/cancel` };
  return links;
}

/**
 * vimConnectionInfo as it may be stored in the clear and shown: every secret of accessInfo,
 * interfaceInfo and extra masked by the one rule (vim/model.ts isSecretKey); a helm_info given
 * as a Python-dict string is masked whole. Idempotent, so applying it again at storage is safe.
 */
export function maskVimConnectionInfo(vci: VimConnectionInfo): VimConnectionInfo {
  const masked = maskSecrets(vci);
  if (typeof vci.extra?.helm_info === 'string') masked.extra = { ...masked.extra, helm_info: MASK };
  return masked;
}

/**
 * Operation parameters with the vimConnectionInfo they carry masked (a list, or SOL003 v3's
 * map by id), and the secrets of additionalParams (the values as sent are kept sealed: src/mgmt/params.ts).
 */
export function maskOperationParams(input: Record<string, unknown>): Record<string, unknown> {
  const params =
    input.additionalParams !== undefined && input.additionalParams !== null
      ? { ...input, additionalParams: maskSecrets(input.additionalParams) }
      : input;
  const v = params.vimConnectionInfo;
  if (v === undefined || v === null) return params;
  const each = (x: unknown) =>
    typeof x === 'object' && x !== null && !Array.isArray(x)
      ? maskVimConnectionInfo(x as VimConnectionInfo)
      : maskSecrets(x);
  const masked = Array.isArray(v)
    ? v.map(each)
    : typeof v === 'object'
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, each(x)]))
      : v;
  return { ...params, vimConnectionInfo: masked };
}
