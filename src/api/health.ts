// The operator's probes: GET /healthz (liveness and store reachability, for load
// balancers), GET /readyz (whether this process can do its work: the store answers
// and, where it runs one, its worker loop turns) and GET /metrics (Prometheus).
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { queuedOpOccCount } from '../db/queries/op-occs.ts';
import { METRICS_CONTENT_TYPE, metricsText } from '../metrics/registry.ts';
import { problem } from './http-edge.ts';

export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const databaseAnswers = () =>
    sql`select 1`.execute(ctx.db).then(
      () => true,
      (err: unknown) => {
        ctx.log.error({ err }, 'health check: database unreachable');
        return false;
      },
    );

  app.get('/healthz', async (_req, reply) => {
    if (await databaseAnswers()) return { status: 'ok', version: ctx.version, database: 'ok' };
    return reply.code(503).send({ status: 'unavailable', version: ctx.version, database: 'unreachable' });
  });

  app.get('/readyz', async (_req, reply) => {
    const database = (await databaseAnswers()) ? 'ok' : 'unreachable';
    // An API-only process (embedded worker off) is ready on its store alone.
    const worker = !ctx.config.embeddedWorker ? 'not embedded' : ctx.worker.running ? 'running' : 'stopped';
    const notReady = [
      ...(database === 'ok' ? [] : ['the database does not answer']),
      ...(worker === 'stopped' ? ['the embedded LCM worker is not running'] : []),
    ];
    if (notReady.length === 0) return { status: 'ready', version: ctx.version, database, worker };
    return reply
      .code(503)
      .type('application/problem+json')
      .send(problem(503, `not ready: ${notReady.join('; ')}`));
  });

  app.get('/metrics', async (_req, reply) =>
    reply.type(METRICS_CONTENT_TYPE).send(await metricsText(() => queuedOpOccCount(ctx.db))),
  );
}
