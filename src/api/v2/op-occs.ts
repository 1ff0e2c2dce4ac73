// /vnflcm/v2/vnf_lcm_op_occs (SOL003 v3.3.1): the same op occs as /vnflcm/v1, and the
// same retry / rollback / fail / cancel. The reference VNFM's v2 has no cancel; SOL003
// v3.3.1 has, and so does the engine, so v2 serves it as v1 does.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/connect.ts';
import { queryInstances } from '../../db/queries/instances.ts';
import { getOpOcc, OP_OCC_COLUMNS, queryOpOccs } from '../../db/queries/op-occs.ts';
import { notFound } from '../../errors.ts';
import type { VnfLcmOpOcc } from '../../lcm/model.ts';
import {
  cancelOperation,
  type Engine,
  failOperation,
  retryOperation,
  rollbackOperation,
} from '../../lcm/occurrences.ts';
import { CancelModeRequest } from '../schemas/vnflcm.ts';
import { listOf, one } from '../schemas/responses.ts';
import { type ListQuery, storeListAnswer } from '../sol013/list.ts';
import { VNF_LCM_OP_OCC_LIST_V2 } from './attributes.ts';
import { idParams, versionHeader } from './params.ts';
import { VnfLcmOpOccViewV2 } from './responses.ts';
import { BASE_V2, type OpOccInstance, opOccViewV2 } from './views.ts';

/** What the views of these op occs take from their instances: one read for a whole page. */
async function instancesOf(db: Db, ops: VnfLcmOpOcc[]): Promise<Map<string, OpOccInstance>> {
  const ids = [...new Set(ops.map((o) => o.vnfInstanceId))];
  if (ids.length === 0) return new Map();
  const unread = ['vimConnectionInfo', 'metadata', 'extensions', 'vnfConfigurableProperties'];
  const found = await queryInstances(db, [{ op: 'in', path: ['id'], values: ids }], undefined, unread);
  return new Map(
    found.map((i) => [i.id, { vnfdId: i.vnfdId, vnfcs: i.instantiatedVnfInfo?.vnfcResourceInfo ?? [] }]),
  );
}

async function viewsOf(db: Db, ops: VnfLcmOpOcc[]): Promise<Record<string, unknown>[]> {
  const instances = await instancesOf(db, ops);
  return ops.map((o) => opOccViewV2(o, instances.get(o.vnfInstanceId)));
}

export function opOccRoutesV2(app: FastifyInstance, engine: Engine, pageSize: number): void {
  const { db } = engine.ctx;
  const opUrl = (id: string) => `${BASE_V2}/vnf_lcm_op_occs/${id}`;

  app.get<{ Querystring: ListQuery }>(
    `${BASE_V2}/vnf_lcm_op_occs`,
    { schema: { headers: versionHeader, response: listOf(VnfLcmOpOccViewV2) } },
    async (req, reply) =>
      storeListAnswer(
        req,
        reply,
        async (terms, page) => viewsOf(db, await queryOpOccs(db, terms, page)),
        OP_OCC_COLUMNS,
        VNF_LCM_OP_OCC_LIST_V2,
        pageSize,
      ),
  );

  app.get<{ Params: { id: string } }>(
    `${BASE_V2}/vnf_lcm_op_occs/:id`,
    { schema: { headers: versionHeader, params: idParams, response: one(VnfLcmOpOccViewV2) } },
    async (req) => {
      const op = await getOpOcc(db, req.params.id);
      if (!op) throw notFound(`VNF LCM operation occurrence ${req.params.id} does not exist`);
      return (await viewsOf(db, [op]))[0];
    },
  );

  for (const [action, run] of [
    ['retry', retryOperation],
    ['rollback', rollbackOperation],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `${BASE_V2}/vnf_lcm_op_occs/:id/${action}`,
      { schema: { headers: versionHeader, params: idParams } },
      async (req, reply) => {
        await run(engine, req.params.id);
        return reply.code(202).header('location', opUrl(req.params.id)).send();
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    `${BASE_V2}/vnf_lcm_op_occs/:id/fail`,
    { schema: { headers: versionHeader, params: idParams, response: one(VnfLcmOpOccViewV2) } },
    async (req) => (await viewsOf(db, [await failOperation(engine, req.params.id)]))[0],
  );

  app.post<{ Params: { id: string }; Body: CancelModeRequest }>(
    `${BASE_V2}/vnf_lcm_op_occs/:id/cancel`,
    { schema: { headers: versionHeader, params: idParams, body: CancelModeRequest } },
    async (req, reply) => {
      await cancelOperation(engine, req.params.id, req.body?.cancelMode ?? 'GRACEFUL');
      return reply.code(202).header('location', opUrl(req.params.id)).send();
    },
  );
}
