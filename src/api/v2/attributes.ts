// The attributes of v2's listed representations (SOL013 §5.2/§5.3), from v1's: a
// vimConnectionInfo map (any key, each entry v1's without `id`) and vnfcInfo.
import {
  type AttributeTree,
  VNF_INSTANCE_ATTRIBUTES,
  VNF_LCM_OP_OCC_ATTRIBUTES,
} from '../sol013/attributes.ts';
import { INSTANCE_DEFAULT_EXCLUDED, OP_OCC_DEFAULT_EXCLUDED } from '../../lcm/model.ts';

const { id: _id, ...vimEntry } = VNF_INSTANCE_ATTRIBUTES.vimConnectionInfo as AttributeTree;
const VIM_CONNECTION_MAP: AttributeTree = { '*': vimEntry };
const INSTANTIATED = VNF_INSTANCE_ATTRIBUTES.instantiatedVnfInfo as AttributeTree;

export const VNF_INSTANCE_ATTRIBUTES_V2: AttributeTree = {
  ...VNF_INSTANCE_ATTRIBUTES,
  vimConnectionInfo: VIM_CONNECTION_MAP,
  instantiatedVnfInfo: {
    ...INSTANTIATED,
    vnfcInfo: {
      id: 'value',
      vduId: 'value',
      vnfcResourceInfoId: 'value',
      vnfcState: 'value',
      vnfcConfigurableProperties: 'free',
    },
  },
};

const OP_PARAMS = VNF_LCM_OP_OCC_ATTRIBUTES.operationParams as AttributeTree;

export const VNF_LCM_OP_OCC_ATTRIBUTES_V2: AttributeTree = {
  ...VNF_LCM_OP_OCC_ATTRIBUTES,
  operationParams: { ...OP_PARAMS, vimConnectionInfo: VIM_CONNECTION_MAP },
};

export const VNF_INSTANCE_LIST_V2 = {
  attributes: VNF_INSTANCE_ATTRIBUTES_V2,
  defaultExcluded: INSTANCE_DEFAULT_EXCLUDED,
};
export const VNF_LCM_OP_OCC_LIST_V2 = {
  attributes: VNF_LCM_OP_OCC_ATTRIBUTES_V2,
  defaultExcluded: OP_OCC_DEFAULT_EXCLUDED,
};
