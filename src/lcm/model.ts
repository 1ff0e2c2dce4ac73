// SOL003 v2.6.1 VnfInstance and VnfLcmOpOcc as the VNFM holds them: the one
// definition shared by the store, the workflows and the API.
import type { ProblemDetails } from '../errors.ts';

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
  metadata?: Record<string, unknown>;
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

/** vimConnectionInfo with any helm_info secrets masked (a Python-literal string form is masked whole). */
export function maskVimConnectionInfo(vci: VimConnectionInfo): VimConnectionInfo {
  const helm = vci.extra?.helm_info;
  if (helm === undefined) return vci;
  const masked =
    typeof helm === 'string'
      ? '***'
      : Object.fromEntries(
          Object.entries(helm as Record<string, unknown>).map(([k, v]) =>
            k === 'masternode_password' || k === 'masternode_private_key' ? [k, '***'] : [k, v],
          ),
        );
  return { ...vci, extra: { ...vci.extra, helm_info: masked } };
}
