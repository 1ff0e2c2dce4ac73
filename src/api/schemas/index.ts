// Every request body schema of the API, in one place: the routes use them for
// validation, the operations take their TypeScript types, and an OpenAPI document
// can be generated from this list.
import * as subscriptions from './subscriptions.ts';
import * as vims from './vims.ts';
import * as vnflcm from './vnflcm.ts';
import * as vnfpkgm from './vnfpkgm.ts';

export * from './primitives.ts';
export * from './subscriptions.ts';
export * from './vims.ts';
export * from './vnflcm.ts';
export * from './vnfpkgm.ts';

/** Route → its body schema, for documentation generators (method and path as the routes declare them). */
export const REQUEST_BODIES = {
  'POST /v1.0/vims': vims.VimCreateRequest,
  'PUT /v1.0/vims/{vimId}': vims.VimUpdateRequest,
  'PATCH /v1.0/vims/{vimId}': vims.VimUpdateRequest,
  'POST /vnflcm/v1/vnf_instances': vnflcm.CreateVnfRequest,
  'PATCH /vnflcm/v1/vnf_instances/{vnfInstanceId}': vnflcm.VnfInfoModificationRequest,
  'POST /vnflcm/v1/vnf_instances/{vnfInstanceId}/instantiate': vnflcm.InstantiateVnfRequest,
  'POST /vnflcm/v1/vnf_instances/{vnfInstanceId}/scale': vnflcm.ScaleVnfRequest,
  'POST /vnflcm/v1/vnf_instances/{vnfInstanceId}/scale_to_level': vnflcm.ScaleVnfToLevelRequest,
  'POST /vnflcm/v1/vnf_instances/{vnfInstanceId}/heal': vnflcm.HealVnfRequest,
  'POST /vnflcm/v1/vnf_instances/{vnfInstanceId}/terminate': vnflcm.TerminateVnfRequest,
  'POST /vnflcm/v1/vnf_lcm_op_occs/{vnfLcmOpOccId}/cancel': vnflcm.CancelModeRequest,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/change_vnfpkg': vnflcm.ChangeCurrentVnfPkgRequest,
  'POST /vnflcm/v1/subscriptions': subscriptions.LccnSubscriptionRequest,
  'POST /vnfpkgm/v1/vnf_packages': vnfpkgm.CreateVnfPkgInfoRequest,
  'PATCH /vnfpkgm/v1/vnf_packages/{vnfPkgId}': vnfpkgm.VnfPkgInfoModifications,
  'POST /vnfpkgm/v1/vnf_packages/{vnfPkgId}/package_content/upload_from_uri':
    vnfpkgm.UploadVnfPkgFromUriRequest,
  'POST /vnfpkgm/v1/subscriptions': subscriptions.PkgmSubscriptionRequest,
} as const;
