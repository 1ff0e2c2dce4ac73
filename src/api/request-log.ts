// What every answered request leaves behind: one line in the log (instead of
// Fastify's "incoming request" and "request completed" pair) and the HTTP metrics.
// The route is the registered pattern (`/vnflcm/v1/vnf_instances/:id`), never the
// raw URL, so that the metrics' series stay few whatever clients send.
import { type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import { observeHttp, UNMATCHED_ROUTE } from '../metrics/registry.ts';
import { brief } from './brief.ts';

const routeOf = (req: FastifyRequest) => req.routeOptions.url ?? UNMATCHED_ROUTE;

/** Fastify's request log lines, one per request: written when the response has gone out. */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  /** The 404 answer's own line says it; Fastify's "Route … not found" would be a second. */
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, req: FastifyRequest, reply: FastifyReply): void {
    // A response cut short (the stream failed after the headers): Fastify's error line is the one line.
    if (error) return super.requestCompleted(error, req, reply);
    req.log.info(
      {
        method: req.method,
        // As sent, cut short (requests may carry up to 8 KiB of it).
        url: brief(req.url, 300),
        route: routeOf(req),
        statusCode: reply.statusCode,
        responseTimeMs: Math.round(reply.elapsedTime),
      },
      'request',
    );
  }
}

/** The HTTP metrics of every answered request. */
export function installRequestMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (req, reply) => {
    observeHttp(req.method, routeOf(req), reply.statusCode, reply.elapsedTime / 1000);
  });
}
