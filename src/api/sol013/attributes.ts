// The attributes of each listed resource's representation, for SOL013 §5.2/§5.3:
// a filter or attribute selector may only name an attribute the representation has
// (400 otherwise, naming it). Paths cross arrays transparently, as filters do.
import { badRequest } from '../../errors.ts';
import { brief } from '../brief.ts';
import { INSTANCE_DEFAULT_EXCLUDED, OP_OCC_DEFAULT_EXCLUDED } from '../../lcm/model.ts';
import { VNF_PKG_DEFAULT_EXCLUDED } from '../../packages/model.ts';

/**
 * 'value': a scalar (or array of scalars). 'free': free-form KeyValuePairs, any
 * sub-path. 'secret': free-form and holding credentials: selectable, never
 * filterable (a filter would be an oracle on the value, `gt` by `gt`). An object
 * lists its attributes; its '*' entry, if any, stands for every other name.
 */
export type Attribute = 'value' | 'free' | 'secret' | AttributeTree;
export interface AttributeTree {
  readonly [name: string]: Attribute;
}

const leaves = (...names: string[]): AttributeTree => Object.fromEntries(names.map((n) => [n, 'value']));

const RESOURCE_HANDLE = leaves('vimConnectionId', 'resourceProviderId', 'resourceId', 'vimLevelResourceType');
const CHECKSUM = leaves('algorithm', 'hash');
const PROBLEM = leaves('type', 'title', 'status', 'detail', 'instance');
const SCALE_INFO = leaves('aspectId', 'vnfdId', 'scaleLevel');
const VIM_CONNECTION_INFO: AttributeTree = {
  ...leaves('id', 'vimId', 'vimType'),
  interfaceInfo: 'secret',
  accessInfo: 'secret',
  extra: 'secret',
};

/** SOL003 VnfInstance as `GET /vnflcm/v1/vnf_instances` shows it. */
export const VNF_INSTANCE_ATTRIBUTES: AttributeTree = {
  ...leaves(
    'id',
    'vnfInstanceName',
    'vnfInstanceDescription',
    'vnfdId',
    'vnfProvider',
    'vnfProductName',
    'vnfSoftwareVersion',
    'vnfdVersion',
    'instantiationState',
  ),
  vnfConfigurableProperties: 'free',
  vimConnectionInfo: VIM_CONNECTION_INFO,
  instantiatedVnfInfo: {
    ...leaves('flavourId', 'vnfState', 'localizationLanguage'),
    scaleStatus: SCALE_INFO,
    maxScaleLevels: SCALE_INFO,
    vnfcResourceInfo: {
      ...leaves('id', 'vduId', 'vnfdId', 'zoneId', 'storageResourceIds', 'reservationId'),
      computeResource: RESOURCE_HANDLE,
      vnfcCpInfo: 'free',
      metadata: 'free',
    },
    extCpInfo: 'free',
    extVirtualLinkInfo: 'free',
    extManagedVirtualLinkInfo: 'free',
    monitoringParameters: 'free',
    virtualLinkResourceInfo: 'free',
    virtualStorageResourceInfo: 'free',
    vnfcInfo: 'free',
  },
  metadata: 'free',
  extensions: 'free',
  _links: 'free',
};

/** SOL003 VnfLcmOpOcc; operationParams is the request as sent, its VIM credentials secret. */
export const VNF_LCM_OP_OCC_ATTRIBUTES: AttributeTree = {
  ...leaves(
    'id',
    'operationState',
    'stateEnteredTime',
    'startTime',
    'vnfInstanceId',
    'grantId',
    'operation',
    'isAutomaticInvocation',
    'isCancelPending',
    'cancelMode',
  ),
  operationParams: { vimConnectionInfo: VIM_CONNECTION_INFO, '*': 'free' },
  error: PROBLEM,
  resourceChanges: {
    affectedVnfcs: {
      ...leaves(
        'id',
        'vduId',
        'vnfdId',
        'changeType',
        'zoneId',
        'affectedVnfcCpIds',
        'addedStorageResourceIds',
        'removedStorageResourceIds',
      ),
      computeResource: RESOURCE_HANDLE,
      metadata: 'free',
    },
    affectedVirtualLinks: 'free',
    affectedVirtualStorages: 'free',
  },
  changedInfo: 'free',
  changedExtConnectivity: 'free',
  // The VNFM's extension (lcm/model.ts OpOccProgress).
  _progress: { ...leaves('step', 'done', 'total', 'message', 'updatedAt'), vdus: 'free' },
  _links: 'free',
};

/** SOL005 VnfPkgInfo. */
export const VNF_PKG_INFO_ATTRIBUTES: AttributeTree = {
  ...leaves(
    'id',
    'vnfdId',
    'vnfProvider',
    'vnfProductName',
    'vnfSoftwareVersion',
    'vnfdVersion',
    'onboardingState',
    'operationalState',
    'usageState',
  ),
  checksum: CHECKSUM,
  softwareImages: {
    ...leaves(
      'id',
      'name',
      'provider',
      'version',
      'containerFormat',
      'diskFormat',
      'createdAt',
      'minDisk',
      'minRam',
      'size',
      'imagePath',
    ),
    checksum: CHECKSUM,
    userMetadata: 'free',
  },
  additionalArtifacts: { artifactPath: 'value', checksum: CHECKSUM, metadata: 'free' },
  onboardingFailureDetails: PROBLEM,
  userDefinedData: 'free',
  _links: 'free',
};

/** SOL003/SOL005 vnfProductsFromProviders of a subscription filter. */
const PRODUCTS_FROM_PROVIDERS: AttributeTree = {
  vnfProvider: 'value',
  vnfProducts: { vnfProductName: 'value', versions: leaves('vnfSoftwareVersion', 'vnfdVersions') },
};

/** SOL003 LccnSubscription (no credentials: the view has none). */
export const LCCN_SUBSCRIPTION_ATTRIBUTES: AttributeTree = {
  ...leaves('id', 'callbackUri'),
  filter: {
    vnfInstanceSubscriptionFilter: {
      ...leaves('vnfdIds', 'vnfInstanceIds', 'vnfInstanceNames'),
      vnfProductsFromProviders: PRODUCTS_FROM_PROVIDERS,
    },
    ...leaves('notificationTypes', 'operationTypes', 'operationStates'),
  },
  _links: 'free',
};

/** SOL005 PkgmSubscription. */
export const PKGM_SUBSCRIPTION_ATTRIBUTES: AttributeTree = {
  ...leaves('id', 'callbackUri'),
  filter: {
    ...leaves('notificationTypes', 'vnfdId', 'vnfPkgId', 'operationalState', 'usageState'),
    vnfProductsFromProviders: PRODUCTS_FROM_PROVIDERS,
  },
  _links: 'free',
};

const shown = (path: string[]) => brief(path.join('/'));

/** The attribute `path` names, or undefined when the representation has none there. */
function lookup(tree: AttributeTree, path: string[]): Attribute | undefined {
  let node: Attribute = tree;
  for (const name of path) {
    // No body can store a '__proto__' key (the JSON parser refuses it), so no path has one.
    if (name === '' || name === '__proto__') return undefined;
    if (node === 'value') return undefined;
    if (node === 'free' || node === 'secret') return node;
    // Own entries only: 'constructor' or '__proto__' are not attributes.
    const next: Attribute | undefined = Object.hasOwn(node, name)
      ? node[name]
      : Object.hasOwn(node, '*')
        ? node['*']
        : undefined;
    if (next === undefined) return undefined;
    node = next;
  }
  return node;
}

/** 400 unless `path` is an attribute a filter may compare. `what` names the query parameter. */
export function checkFilterAttribute(tree: AttributeTree, path: string[], what = 'filter'): void {
  const node = lookup(tree, path);
  if (node === undefined) throw badRequest(`${what}: '${shown(path)}' is not an attribute of this resource`);
  if (node === 'secret')
    throw badRequest(`${what}: '${shown(path)}' holds credentials and cannot be filtered on`);
  if (typeof node === 'object') {
    throw badRequest(`${what}: '${shown(path)}' is a structure; filter on one of its attributes`);
  }
}

/** 400 unless `path` is an attribute `fields` / `exclude_fields` may name. */
export function checkSelectorAttribute(tree: AttributeTree, path: string[], what: string): void {
  if (lookup(tree, path) === undefined) {
    throw badRequest(`${what}: '${shown(path)}' is not an attribute of this resource`);
  }
}

/** The listed resources: their attributes and the complex ones a list leaves out by default. */
export const VNF_INSTANCE_LIST = {
  attributes: VNF_INSTANCE_ATTRIBUTES,
  defaultExcluded: INSTANCE_DEFAULT_EXCLUDED,
};
export const VNF_LCM_OP_OCC_LIST = {
  attributes: VNF_LCM_OP_OCC_ATTRIBUTES,
  defaultExcluded: OP_OCC_DEFAULT_EXCLUDED,
};
export const VNF_PKG_INFO_LIST = {
  attributes: VNF_PKG_INFO_ATTRIBUTES,
  defaultExcluded: VNF_PKG_DEFAULT_EXCLUDED,
};
export const LCCN_SUBSCRIPTION_LIST = { attributes: LCCN_SUBSCRIPTION_ATTRIBUTES, defaultExcluded: [] };
export const PKGM_SUBSCRIPTION_LIST = { attributes: PKGM_SUBSCRIPTION_ATTRIBUTES, defaultExcluded: [] };
