// /vnflcm/v2/vnf_instances (SOL003 v3.3.1): the same instances as /vnflcm/v1, created,
// listed, modified and deleted by the same engine; the task resources queue the same
// operations, answered 202 with the Location of the op occ under /vnflcm/v2.
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { INSTANCE_COLUMNS, queryInstances, readInstance } from '../../db/queries/instances.ts';
import { notFound } from '../../errors.ts';
import { createVnfInstance, deleteVnfInstance } from '../../lcm/instances.ts';
import type { LcmOperation, VnfInstance, VnfLcmOpOcc } from '../../lcm/model.ts';
import { type Engine, startOperation } from '../../lcm/occurrences.ts';
import { listOf, one } from '../schemas/responses.ts';
import { type ListQuery, storeListAnswer } from '../sol013/list.ts';
import { VNF_INSTANCE_LIST_V2 } from './attributes.ts';
import { maxScaleLevelsOf } from './max-scale-levels.ts';
import { idParams, versionHeader } from './params.ts';
import { healBody, instantiateBody, modifyBody } from './requests.ts';
import { VnfInstanceViewV2 } from './responses.ts';
import {
  CreateVnfRequestV2,
  HealVnfRequestV2,
  InstantiateVnfRequestV2,
  ScaleVnfRequestV2,
  ScaleVnfToLevelRequestV2,
  TerminateVnfRequestV2,
  VnfInfoModificationRequestV2,
} from './schemas.ts';
import { BASE_V2, instanceViewV2 } from './views.ts';

type Body = Record<string, unknown>;
/** The body in the engine's form; each takes its own schema's type (hence `never` here). */
type ToEngine = (body: never, instance: VnfInstance) => Body;
const asSent = (b: Body) => b;

/** A task resource: its path, its op occ operation, its one body schema, and the body in the engine's form. */
export type TaskV2 = [path: string, operation: LcmOperation, body: TSchema, toEngine: ToEngine];

/**
 * The task resources of SOL003's operations here. Another operation's module (change_vnfpkg,
 * CHANGE_VNFPKG) registers its own with taskRouteV2, from src/api/v2/index.ts.
 */
export const TASKS_V2: TaskV2[] = [
  ['instantiate', 'INSTANTIATE', InstantiateVnfRequestV2, instantiateBody],
  ['scale', 'SCALE', ScaleVnfRequestV2, asSent],
  ['scale_to_level', 'SCALE_TO_LEVEL', ScaleVnfToLevelRequestV2, asSent],
  ['heal', 'HEAL', HealVnfRequestV2, healBody],
  ['terminate', 'TERMINATE', TerminateVnfRequestV2, asSent],
];

async function mustRead(engine: Engine, id: string): Promise<VnfInstance> {
  const instance = await readInstance(engine.ctx.db, id);
  if (!instance) throw notFound(`VNF instance ${id} does not exist`);
  return instance;
}

const accepted = (reply: FastifyReply, op: VnfLcmOpOcc) =>
  reply.code(202).header('location', `${BASE_V2}/vnf_lcm_op_occs/${op.id}`).send();

export function vnfInstanceRoutesV2(app: FastifyInstance, engine: Engine, pageSize: number): void {
  const { ctx } = engine;

  app.post<{ Body: CreateVnfRequestV2 }>(
    `${BASE_V2}/vnf_instances`,
    { schema: { headers: versionHeader, body: CreateVnfRequestV2, response: one(VnfInstanceViewV2, 201) } },
    async (req, reply) => {
      const i = await createVnfInstance(ctx, req.body);
      return reply.code(201).header('location', `${BASE_V2}/vnf_instances/${i.id}`).send(instanceViewV2(i));
    },
  );

  app.get<{ Querystring: ListQuery }>(
    `${BASE_V2}/vnf_instances`,
    { schema: { headers: versionHeader, response: listOf(VnfInstanceViewV2) } },
    async (req, reply) =>
      storeListAnswer(
        req,
        reply,
        async (terms, page, omit) => {
          const rows = await queryInstances(ctx.db, terms, page, omit);
          const levels = await maxScaleLevelsOf(ctx.db, rows);
          return rows.map((i) => instanceViewV2(i, levels(i)));
        },
        INSTANCE_COLUMNS,
        VNF_INSTANCE_LIST_V2,
        pageSize,
      ),
  );

  app.get<{ Params: { id: string } }>(
    `${BASE_V2}/vnf_instances/:id`,
    { schema: { headers: versionHeader, params: idParams, response: one(VnfInstanceViewV2) } },
    async (req) => {
      const instance = await mustRead(engine, req.params.id);
      return instanceViewV2(instance, (await maxScaleLevelsOf(ctx.db, [instance]))(instance));
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${BASE_V2}/vnf_instances/:id`,
    { schema: { headers: versionHeader, params: idParams } },
    async (req, reply) => {
      await deleteVnfInstance(ctx, req.params.id);
      return reply.code(204).send();
    },
  );

  app.patch<{ Params: { id: string }; Body: VnfInfoModificationRequestV2 }>(
    `${BASE_V2}/vnf_instances/:id`,
    { schema: { headers: versionHeader, params: idParams, body: VnfInfoModificationRequestV2 } },
    async (req, reply) =>
      accepted(reply, await startOperation(engine, req.params.id, 'MODIFY_INFO', modifyBody(req.body))),
  );

  for (const task of TASKS_V2) taskRouteV2(app, engine, task);
}

/** `POST /vnflcm/v2/vnf_instances/{id}/{path}`: 202 with the Location of the op occ it queued. */
export function taskRouteV2(
  app: FastifyInstance,
  engine: Engine,
  [path, operation, schema, toEngine]: TaskV2,
) {
  app.post<{ Params: { id: string }; Body: Body }>(
    `${BASE_V2}/vnf_instances/:id/${path}`,
    { schema: { headers: versionHeader, params: idParams, body: schema } },
    async (req, reply) => {
      const instance = await mustRead(engine, req.params.id);
      const body = toEngine(req.body as never, instance);
      return accepted(reply, await startOperation(engine, req.params.id, operation, body));
    },
  );
}
