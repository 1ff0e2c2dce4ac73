// GET /healthz: liveness and store reachability, for load balancers and operators.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ok', version: ctx.version, database: 'ok' };
    } catch (err) {
      ctx.log.error({ err }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', version: ctx.version, database: 'unreachable' });
    }
  });
}
