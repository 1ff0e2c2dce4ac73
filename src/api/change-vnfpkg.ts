// POST <base>/vnf_instances/{id}/change_vnfpkg (SOL003 v3.3.1 §5.4.11a): accepted as an
// op occ of the shared engine, answered 202 with its Location under the same base. Not
// in /vnflcm/v1 (SOL003 v2.6.1 has no such task); the v2 router mounts it.
import type { FastifyInstance } from 'fastify';
import { type Engine, startOperation } from '../lcm/occurrences.ts';
import { ChangeCurrentVnfPkgRequest } from './schemas/index.ts';

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } } } as const;

export function changeVnfpkgRoute(app: FastifyInstance, engine: Engine, base: string): void {
  app.post<{ Params: { id: string }; Body: ChangeCurrentVnfPkgRequest }>(
    `${base}/vnf_instances/:id/change_vnfpkg`,
    { schema: { params: idParams, body: ChangeCurrentVnfPkgRequest } },
    async (req, reply) => {
      const op = await startOperation(engine, req.params.id, 'CHANGE_VNFPKG', req.body);
      return reply.code(202).header('location', `${base}/vnf_lcm_op_occs/${op.id}`).send();
    },
  );
}
