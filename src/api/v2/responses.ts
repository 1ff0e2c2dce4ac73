// Response schemas of /vnflcm/v2: v1's (src/api/schemas/responses.ts, from the model)
// where the shape is the same; vimConnectionInfo is a map here, so it is written as it is.
import { VnfInstanceView, VnfLcmOpOccView } from '../schemas/responses.ts';

const props = (v: Record<string, unknown>) => v.properties as Record<string, unknown>;

export const VnfInstanceViewV2 = {
  ...VnfInstanceView,
  properties: { ...props(VnfInstanceView), vimConnectionInfo: {} },
};
export const VnfLcmOpOccViewV2 = VnfLcmOpOccView;
