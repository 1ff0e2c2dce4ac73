// Every request body schema of the API, in one place: the routes use them for
// validation, the operations take their TypeScript types, and an OpenAPI document
// can be generated from this list.
import * as subscriptions from './subscriptions.ts';
import * as v2 from '../v2/schemas.ts';
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
  'POST /vnflcm/v2/vnf_instances': v2.CreateVnfRequestV2,
  'PATCH /vnflcm/v2/vnf_instances/{vnfInstanceId}': v2.VnfInfoModificationRequestV2,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/instantiate': v2.InstantiateVnfRequestV2,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/scale': v2.ScaleVnfRequestV2,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/scale_to_level': v2.ScaleVnfToLevelRequestV2,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/heal': v2.HealVnfRequestV2,
  'POST /vnflcm/v2/vnf_instances/{vnfInstanceId}/terminate': v2.TerminateVnfRequestV2,
  'POST /vnflcm/v2/vnf_lcm_op_occs/{vnfLcmOpOccId}/cancel': vnflcm.CancelModeRequest,
  'POST /vnflcm/v2/subscriptions': v2.LccnSubscriptionRequestV2,
  'POST /vnfpkgm/v1/vnf_packages': vnfpkgm.CreateVnfPkgInfoRequest,
  'PATCH /vnfpkgm/v1/vnf_packages/{vnfPkgId}': vnfpkgm.VnfPkgInfoModifications,
  'POST /vnfpkgm/v1/vnf_packages/{vnfPkgId}/package_content/upload_from_uri':
    vnfpkgm.UploadVnfPkgFromUriRequest,
  'POST /vnfpkgm/v1/subscriptions': subscriptions.PkgmSubscriptionRequest,
} as const;
