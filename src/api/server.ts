// Builds the HTTP server: one route module per interface, errors mapped to
// ProblemDetails here and nowhere else.
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { healthRoutes } from './health.ts';
import { vimRoutes } from './vims.ts';
import { vnflcmRoutes } from './vnflcm.ts';
import { vnfpkgmRoutes } from './vnfpkgm.ts';
import { type ProblemDetails, ProblemError } from '../errors.ts';

export function buildServer(ctx: AppContext): FastifyInstance {
  const app = Fastify({ loggerInstance: ctx.log as FastifyBaseLogger });

  app.setErrorHandler((err: FastifyError | ProblemError, req, reply) => {
    const problem = toProblem(err);
    if (problem.status >= 500) req.log.error({ err }, 'unhandled error');
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('application/problem+json')
      .send({ status: 404, title: 'Not Found', detail: `no route for ${req.method} ${req.url}` }),
  );

  healthRoutes(app, ctx);
  vimRoutes(app, ctx);
  vnfpkgmRoutes(app, ctx);
  vnflcmRoutes(app, ctx.worker, ctx.config.pageSize);
  return app;
}

function toProblem(err: FastifyError | ProblemError): ProblemDetails {
  if (err instanceof ProblemError) return err.toProblem();
  const status = err.validation ? 400 : (err.statusCode ?? 500);
  if (status >= 500) {
    return { status: 500, title: 'Internal Server Error', detail: 'internal error; see the VNFM log' };
  }
  return { status, title: status === 400 ? 'Bad Request' : err.name, detail: err.message };
}
