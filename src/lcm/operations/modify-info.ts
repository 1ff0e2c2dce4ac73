// MODIFY_INFO (PATCH /vnf_instances/{id}, SOL003 §5.4.3): name, description,
// metadata and extensions (merged per JSON Merge Patch; null removes a key).
import { saveInstance } from '../../db/queries/instances.ts';
import { badRequest } from '../../errors.ts';
import type { LcmOperationHandler } from '../operation.ts';

const FIELDS = ['vnfInstanceName', 'vnfInstanceDescription', 'metadata', 'extensions'];

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
    const unknown = Object.keys(body).filter((k) => !FIELDS.includes(k));
    if (unknown.length > 0)
      throw badRequest(`cannot modify ${unknown.join(', ')} (modifiable: ${FIELDS.join(', ')})`);
    for (const k of ['metadata', 'extensions']) {
      if (
        body[k] !== undefined &&
        (typeof body[k] !== 'object' || body[k] === null || Array.isArray(body[k]))
      ) {
        throw badRequest(`${k} must be an object`);
      }
    }
    return { operationParams: body };
  },

  async run(ctx, opOcc, stored) {
    const p = opOcc.operationParams;
    const i = { ...stored.instance };
    if (typeof p.vnfInstanceName === 'string') i.vnfInstanceName = p.vnfInstanceName;
    if (typeof p.vnfInstanceDescription === 'string') i.vnfInstanceDescription = p.vnfInstanceDescription;
    if (p.metadata) i.metadata = mergePatch(i.metadata, p.metadata as Record<string, unknown>);
    if (p.extensions) i.extensions = mergePatch(i.extensions, p.extensions as Record<string, unknown>);
    await saveInstance(ctx.db, i);
    return [];
  },
};
