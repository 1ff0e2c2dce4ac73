// Builds the HTTP server: one route module per interface, errors mapped to
// ProblemDetails here and nowhere else.
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import { installAuth } from '../auth/guard.ts';
import { securitySchemes } from '../auth/openapi-security.ts';
import { tlsMaterial } from '../auth/tls.ts';
import type { AppContext } from '../context.ts';
import { brief } from './brief.ts';
import { changeVnfpkgRoute } from './change-vnfpkg.ts';
import { CanonicalHeadersResponse } from './header-case.ts';
import { healthRoutes } from './health.ts';
import { openApiRoutes } from './openapi.ts';
import { installRequestMetrics, OneLinePerRequest } from './request-log.ts';
import { EDGE_OPTIONS, installEdge, MAX_BODY_BYTES, problem as statusProblem } from './http-edge.ts';
import { notificationDeliveryRoutes } from './notification-delivery.ts';
import { opOccEventRoutes } from './op-occ-events.ts';
import { subscriptionRoutes } from './subscriptions.ts';
import { vimRoutes } from './vims.ts';
import { vnflcmRoutes } from './vnflcm.ts';
import { vnfpkgmRoutes } from './vnfpkgm.ts';
import { VALIDATION_OPTIONS } from './validation.ts';
import { type ProblemDetails, ProblemError } from '../errors.ts';

/**
 * `probesOnly`: just /healthz, /readyz and /metrics, over plain HTTP (what `vnfm worker
 * --metrics-port` serves on loopback beside its work; it has no API).
 */
export function buildServer(ctx: AppContext, opts: { probesOnly?: boolean } = {}): FastifyInstance {
  const serverOptions = { ...EDGE_OPTIONS.http, ServerResponse: CanonicalHeadersResponse };
  const tls = opts.probesOnly ? undefined : tlsMaterial(ctx.config);
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new OneLinePerRequest(),
    ...EDGE_OPTIONS,
    http: serverOptions,
    ...VALIDATION_OPTIONS,
    // With TLS Fastify makes an https server instead, with the same server options beside the key.
    ...((tls ? { https: { ...serverOptions, ...tls } } : {}) as object),
  });

  app.setErrorHandler((err: FastifyError | ProblemError, req, reply) => {
    const problem = toProblem(err, req);
    if (problem.status >= 500) req.log.error({ err }, 'unhandled error');
    return reply.code(problem.status).type('application/problem+json').send(problem);
  });
  installEdge(app);
  installRequestMetrics(app);
  if (opts.probesOnly) {
    healthRoutes(app, ctx);
    return app;
  }
  openApiRoutes(app, ctx.version, securitySchemes(ctx.config));
  installAuth(app, ctx.config);
  // Once the OpenAPI generator has loaded (its onRoute hook collects the routes), on
  // this same root context, so hooks and parsers the route modules add apply everywhere.
  app.after(() => {
    healthRoutes(app, ctx);
    vimRoutes(app, ctx);
    vnfpkgmRoutes(app, ctx);
    vnflcmRoutes(app, ctx.worker, ctx.config.pageSize);
    changeVnfpkgRoute(app, ctx.worker, '/vnflcm/v2');
    opOccEventRoutes(app, ctx);
    subscriptionRoutes(app, ctx);
    notificationDeliveryRoutes(app, ctx);
  });
  return app;
}

/** Fastify's own 4xx errors keep their status, with its standard title and a detail that says why. */
function toProblem(err: FastifyError | ProblemError, req: FastifyRequest): ProblemDetails {
  if (err instanceof ProblemError) return err.toProblem();
  const status = err.validation ? 400 : (err.statusCode ?? 500);
  if (status < 400 || status >= 500) return statusProblem(500, 'internal error; see the VNFM log');
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return statusProblem(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = brief(req.headers['content-type'] ?? '(none)');
      return statusProblem(415, `a body of type '${type}' is not accepted here`);
    }
    default:
      return statusProblem(status, err.message);
  }
}
