// SOL003 VNF lifecycle management, /vnflcm/v1 (API version 1.3.0): VNF instances,
// their LCM operations (answered 202 with the op occ's Location), and the op occs
// with retry / rollback / fail / cancel.
import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { INSTANCE_COLUMNS, queryInstances, readInstance } from '../db/queries/instances.ts';
import { getOpOcc, OP_OCC_COLUMNS, queryOpOccs } from '../db/queries/op-occs.ts';
import { notFound } from '../errors.ts';
import { createVnfInstance, deleteVnfInstance } from '../lcm/instances.ts';
import {
  instanceLinks,
  opOccLinks,
  type LcmOperation,
  type VnfInstance,
  type VnfLcmOpOcc,
} from '../lcm/model.ts';
import {
  cancelOperation,
  type Engine,
  failOperation,
  retryOperation,
  rollbackOperation,
  startOperation,
} from '../lcm/occurrences.ts';
import {
  CancelModeRequest,
  CreateVnfRequest,
  HealVnfRequest,
  InstantiateVnfRequest,
  ScaleVnfRequest,
  ScaleVnfToLevelRequest,
  TerminateVnfRequest,
  VnfInfoModificationRequest,
} from './schemas/index.ts';
import { listOf, one, VnfInstanceView, VnfLcmOpOccView } from './schemas/responses.ts';
import { VNF_INSTANCE_LIST, VNF_LCM_OP_OCC_LIST } from './sol013/attributes.ts';
import { type ListQuery, storeListAnswer } from './sol013/list.ts';
import { API_VERSIONS, apiVersionRoutes } from './sol013/versions.ts';

export const API_VERSION = API_VERSIONS.vnflcm;
const BASE = '/vnflcm/v1';
const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;

export function instanceView(i: VnfInstance): Record<string, unknown> {
  const { vnfPkgId: _pkg, ...rest } = i;
  const info = rest.instantiatedVnfInfo;
  if (info) {
    const { instantiationLevelId: _level, ...ivi } = info;
    return { ...rest, instantiatedVnfInfo: ivi, _links: instanceLinks(i) };
  }
  return { ...rest, _links: instanceLinks(i) };
}

export function opOccView(o: VnfLcmOpOcc): Record<string, unknown> {
  return { ...o, _links: opOccLinks(o) };
}

/** Each operation's task resource, its op occ operation and its one body schema. */
const OPERATIONS: [string, LcmOperation, TSchema][] = [
  ['instantiate', 'INSTANTIATE', InstantiateVnfRequest],
  ['scale', 'SCALE', ScaleVnfRequest],
  ['scale_to_level', 'SCALE_TO_LEVEL', ScaleVnfToLevelRequest],
  ['heal', 'HEAL', HealVnfRequest],
  ['terminate', 'TERMINATE', TerminateVnfRequest],
];

export function vnflcmRoutes(app: FastifyInstance, engine: Engine, pageSize: number): void {
  const { ctx } = engine;

  apiVersionRoutes(app, { apiName: 'vnflcm', version: API_VERSION, uriMajor: 'v1' });

  app.post<{ Body: CreateVnfRequest }>(
    `${BASE}/vnf_instances`,
    { schema: { body: CreateVnfRequest, response: one(VnfInstanceView, 201) } },
    async (req, reply) => {
      const i = await createVnfInstance(ctx, req.body);
      return reply.code(201).header('location', `${BASE}/vnf_instances/${i.id}`).send(instanceView(i));
    },
  );

  app.get<{ Querystring: ListQuery }>(
    `${BASE}/vnf_instances`,
    { schema: { response: listOf(VnfInstanceView) } },
    async (req, reply) =>
      storeListAnswer(
        req,
        reply,
        async (terms, page, omit) => (await queryInstances(ctx.db, terms, page, omit)).map(instanceView),
        INSTANCE_COLUMNS,
        VNF_INSTANCE_LIST,
        pageSize,
      ),
  );

  app.get<{ Params: { id: string } }>(
    `${BASE}/vnf_instances/:id`,
    { schema: { params: idParams, response: one(VnfInstanceView) } },
    async (req) => {
      const instance = await readInstance(ctx.db, req.params.id);
      if (!instance) throw notFound(`VNF instance ${req.params.id} does not exist`);
      return instanceView(instance);
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${BASE}/vnf_instances/:id`,
    { schema: { params: idParams } },
    async (req, reply) => {
      await deleteVnfInstance(ctx, req.params.id);
      return reply.code(204).send();
    },
  );

  const accepted = (reply: import('fastify').FastifyReply, op: VnfLcmOpOcc) =>
    reply.code(202).header('location', `${BASE}/vnf_lcm_op_occs/${op.id}`).send();

  app.patch<{ Params: { id: string }; Body: VnfInfoModificationRequest }>(
    `${BASE}/vnf_instances/:id`,
    { schema: { params: idParams, body: VnfInfoModificationRequest } },
    async (req, reply) =>
      accepted(reply, await startOperation(engine, req.params.id, 'MODIFY_INFO', req.body)),
  );

  for (const [path, operation, body] of OPERATIONS) {
    app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
      `${BASE}/vnf_instances/:id/${path}`,
      { schema: { params: idParams, body } },
      async (req, reply) => accepted(reply, await startOperation(engine, req.params.id, operation, req.body)),
    );
  }

  app.get<{ Querystring: ListQuery }>(
    `${BASE}/vnf_lcm_op_occs`,
    { schema: { response: listOf(VnfLcmOpOccView) } },
    async (req, reply) =>
      storeListAnswer(
        req,
        reply,
        async (terms, page) => (await queryOpOccs(ctx.db, terms, page)).map(opOccView),
        OP_OCC_COLUMNS,
        VNF_LCM_OP_OCC_LIST,
        pageSize,
      ),
  );

  app.get<{ Params: { id: string } }>(
    `${BASE}/vnf_lcm_op_occs/:id`,
    { schema: { params: idParams, response: one(VnfLcmOpOccView) } },
    async (req) => {
      const op = await getOpOcc(ctx.db, req.params.id);
      if (!op) throw notFound(`VNF LCM operation occurrence ${req.params.id} does not exist`);
      return opOccView(op);
    },
  );

  const opUrl = (id: string) => `${BASE}/vnf_lcm_op_occs/${id}`;
  app.post<{ Params: { id: string } }>(
    `${BASE}/vnf_lcm_op_occs/:id/retry`,
    { schema: { params: idParams } },
    async (req, reply) => {
      await retryOperation(engine, req.params.id);
      return reply.code(202).header('location', opUrl(req.params.id)).send();
    },
  );
  app.post<{ Params: { id: string } }>(
    `${BASE}/vnf_lcm_op_occs/:id/rollback`,
    { schema: { params: idParams } },
    async (req, reply) => {
      await rollbackOperation(engine, req.params.id);
      return reply.code(202).header('location', opUrl(req.params.id)).send();
    },
  );
  app.post<{ Params: { id: string } }>(
    `${BASE}/vnf_lcm_op_occs/:id/fail`,
    { schema: { params: idParams, response: one(VnfLcmOpOccView) } },
    async (req) => opOccView(await failOperation(engine, req.params.id)),
  );
  app.post<{ Params: { id: string }; Body: CancelModeRequest }>(
    `${BASE}/vnf_lcm_op_occs/:id/cancel`,
    { schema: { params: idParams, body: CancelModeRequest } },
    async (req, reply) => {
      await cancelOperation(engine, req.params.id, req.body?.cancelMode ?? 'GRACEFUL');
      return reply.code(202).header('location', opUrl(req.params.id)).send();
    },
  );
}
