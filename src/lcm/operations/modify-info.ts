// MODIFY_INFO (PATCH /vnf_instances/{id}, SOL003 §5.4.3): name, description,
// metadata and extensions (merged per JSON Merge Patch; null removes a key). Which
// fields may be given, and their types, is VnfInfoModificationRequest's (src/api/schemas).
import type { VnfInfoModificationRequest } from '../../api/schemas/vnflcm.ts';
import { saveInstance } from '../../db/queries/instances.ts';
import type { LcmOperationHandler } from '../operation.ts';

function mergePatch(target: Record<string, unknown> | undefined, patch: Record<string, unknown>) {
  const out: Record<string, unknown> = { ...(target ?? {}) };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

export const modifyInfo: LcmOperationHandler = {
  operation: 'MODIFY_INFO',

  async accept(_ctx, _stored, body) {
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    const p = opOcc.operationParams as VnfInfoModificationRequest;
    const i = { ...stored.instance };
    if (p.vnfInstanceName !== undefined) i.vnfInstanceName = p.vnfInstanceName;
    if (p.vnfInstanceDescription !== undefined) i.vnfInstanceDescription = p.vnfInstanceDescription;
    if (p.metadata) i.metadata = mergePatch(i.metadata, p.metadata);
    if (p.extensions) i.extensions = mergePatch(i.extensions, p.extensions);
    await saveInstance(ctx.db, i);
    return [];
  },
};
