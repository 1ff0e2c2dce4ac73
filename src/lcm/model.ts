// SOL003 v2.6.1 VnfInstance and VnfLcmOpOcc as the VNFM holds them: the one
// definition shared by the store, the workflows and the API.
import type { ProblemDetails } from '../errors.ts';
import { MASK, maskSecrets } from '../vim/model.ts';

export type InstantiationState = 'NOT_INSTANTIATED' | 'INSTANTIATED';
export type LcmOperation = 'INSTANTIATE' | 'SCALE' | 'SCALE_TO_LEVEL' | 'HEAL' | 'TERMINATE' | 'MODIFY_INFO';
export type OperationState =
  'STARTING' | 'PROCESSING' | 'COMPLETED' | 'FAILED_TEMP' | 'FAILED' | 'ROLLING_BACK' | 'ROLLED_BACK';

/** Op occ states that hold the instance: no other operation may start (SOL003 §5.4.1.3). */
export const BLOCKING_STATES: OperationState[] = ['STARTING', 'PROCESSING', 'FAILED_TEMP', 'ROLLING_BACK'];

export interface VimConnectionInfo {
  id: string;
  vimId?: string;
  vimType: string;
  interfaceInfo?: Record<string, unknown>;
  accessInfo?: Record<string, unknown>;
  extra?: Record<string, unknown>;
}

export interface VnfcResourceInfo {
  id: string;
  vduId: string;
  computeResource: {
    vimConnectionId: string;
    resourceId: string;
    vimLevelResourceType: string;
  };
  /** SOL003 VnfcCpInfo: pool hosts' connection points with their addresses. */
  vnfcCpInfo?: VnfcCpInfo[];
  metadata?: Record<string, unknown>;
}

export interface VnfcCpInfo {
  id: string;
  cpdId: string;
  cpProtocolInfo?: {
    layerProtocol: 'IP_OVER_ETHERNET';
    ipOverEthernet: { ipAddresses: { type: 'IPV4' | 'IPV6'; addresses: string[] }[] };
  }[];
}

export interface ScaleInfo {
  aspectId: string;
  scaleLevel: number;
}

export interface InstantiatedVnfInfo {
  flavourId: string;
  vnfState: 'STARTED' | 'STOPPED';
  scaleStatus?: ScaleInfo[];
  vnfcResourceInfo?: VnfcResourceInfo[];
  /** Not SOL003: the instantiation level the instance was created at (scale_to_level and heal need it). */
  instantiationLevelId?: string;
}

export interface VnfInstance {
  id: string;
  vnfInstanceName?: string;
  vnfInstanceDescription?: string;
  vnfdId: string;
  vnfProvider: string;
  vnfProductName: string;
  vnfSoftwareVersion: string;
  vnfdVersion: string;
  vnfPkgId: string;
  vnfConfigurableProperties?: Record<string, unknown>;
  vimConnectionInfo?: VimConnectionInfo[];
  instantiationState: InstantiationState;
  instantiatedVnfInfo?: InstantiatedVnfInfo;
  metadata?: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

export interface AffectedVnfc {
  id: string;
  vduId: string;
  changeType: 'ADDED' | 'REMOVED' | 'MODIFIED';
  computeResource: VnfcResourceInfo['computeResource'];
}

/**
 * Not SOL003 (an extension, SOL013 §4.6: `_`-prefixed): where a running operation is.
 * Written by the worker while it runs (src/lcm/progress.ts) and kept when it ends: at
 * FAILED_TEMP it names the step that failed, at COMPLETED it holds the final pod counts.
 * A retry or rollback starts it afresh.
 */
export interface OpOccProgress {
  /** The current step: "helm install vdu1", "wait for readiness", "mgmt driver instantiate_end". */
  step: string;
  /** The step's place among the steps of its kind (releases installed, objects applied), when known. */
  done?: number;
  total?: number;
  /** The last message within the step (bounded; never a secret). */
  message?: string;
  updatedAt: string;
  /** Pods ready / wanted per VDU, as last read while waiting for readiness. */
  vdus?: Record<string, { ready: number; wanted: number }>;
}

export interface VnfLcmOpOcc {
  id: string;
  operationState: OperationState;
  stateEnteredTime: string;
  startTime: string;
  vnfInstanceId: string;
  operation: LcmOperation;
  isAutomaticInvocation: boolean;
  operationParams: Record<string, unknown>;
  isCancelPending: boolean;
  cancelMode?: 'GRACEFUL' | 'FORCEFUL';
  error?: ProblemDetails;
  resourceChanges?: { affectedVnfcs: AffectedVnfc[] };
  _progress?: OpOccProgress;
}

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
