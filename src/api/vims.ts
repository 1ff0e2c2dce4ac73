// /v1.0/vims: the Kubernetes VIM registry in the shape Tacker's NFVO API and
// python-tackerclient use (`{"vim": {...}}`), secrets always masked.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { AppContext } from '../context.ts';
import { getVim, listVims, type VimFilter } from '../db/queries/vims.ts';
import { badRequest, notFound } from '../errors.ts';
import { brief } from './brief.ts';
import { vimView } from '../vim/model.ts';
import { registerVim, removeVim, updateVim, type VimDeps } from '../vim/registry.ts';
import { VimCreateRequest, VimListQuery, VimUpdateRequest } from './schemas/index.ts';

const idParams = { type: 'object', properties: { vimId: { type: 'string', maxLength: 64 } } } as const;

type Handler = (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
type VimRoute = Pick<RouteOptions, 'method' | 'schema'> & { path: string; handler: Handler };

/**
 * Each route also answers with Tacker's `.json` format suffix (`/v1.0/vims.json`,
 * `/v1.0/vims/{id}.json`), which python-tackerclient appends to every NFVO request.
 * Both are real routes, so the router's 404/405 answers hold for the suffixed paths too.
 */
function withJsonSuffix(app: FastifyInstance, routes: VimRoute[]): void {
  for (const { path, ...route } of routes) {
    for (const url of [path, `${path}.json`]) app.route({ ...route, url } as RouteOptions);
  }
}

/** `?is_default=` as Tacker's boolean converter reads it. */
function parseBoolean(value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw badRequest(`querystring/is_default: '${brief(value, 20)}' is not a boolean (true or false)`);
}

/** The list query as column filters; `fields` is dropped (the whole view is always sent). */
function vimFilter(query: VimListQuery): VimFilter {
  const all = (v: string | string[] | undefined) => (v === undefined ? undefined : [v].flat());
  const filter: VimFilter = {
    id: all(query.id),
    name: all(query.name),
    description: all(query.description),
    type: all(query.type),
    status: all(query.status),
    auth_url: all(query.auth_url),
    // The view's tenant_id is the project name (the VNFM has no tenants).
    project_name: all(query.tenant_id),
    is_default: all(query.is_default)?.map(parseBoolean),
  };
  return Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined));
}

export function vimRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps: VimDeps = {
    db: ctx.db,
    secrets: ctx.secrets,
    vimInUse: ctx.vimInUse,
    vimRemoved: async (id) => {
      for (const d of Object.values(ctx.lcm.drivers)) await d.vimRemoved?.(id);
    },
  };
  const vimId = (req: FastifyRequest) => (req.params as { vimId: string }).vimId;

  const update = (partial: boolean) => async (req: FastifyRequest) => ({
    vim: vimView(await updateVim(deps, vimId(req), (req.body as VimUpdateRequest).vim, partial)),
  });

  withJsonSuffix(app, [
    {
      method: 'POST',
      path: '/v1.0/vims',
      schema: { body: VimCreateRequest },
      handler: async (req, reply) => {
        const vim = await registerVim(deps, (req.body as VimCreateRequest).vim);
        req.log.info({ vimId: vim.id, name: vim.name }, 'VIM registered');
        return reply
          .code(201)
          .header('location', `/v1.0/vims/${vim.id}`)
          .send({ vim: vimView(vim) });
      },
    },
    {
      method: 'GET',
      path: '/v1.0/vims',
      schema: { querystring: VimListQuery },
      handler: async (req) => ({
        vims: (await listVims(ctx.db, ctx.secrets, vimFilter(req.query as VimListQuery))).map(vimView),
      }),
    },
    {
      method: 'GET',
      path: '/v1.0/vims/:vimId',
      schema: { params: idParams },
      handler: async (req) => {
        const vim = await getVim(ctx.db, ctx.secrets, vimId(req));
        if (!vim) throw notFound(`VIM ${vimId(req)} does not exist`);
        return { vim: vimView(vim) };
      },
    },
    {
      method: 'PUT',
      path: '/v1.0/vims/:vimId',
      schema: { params: idParams, body: VimUpdateRequest },
      handler: update(false),
    },
    {
      method: 'PATCH',
      path: '/v1.0/vims/:vimId',
      schema: { params: idParams, body: VimUpdateRequest },
      handler: update(true),
    },
    {
      method: 'DELETE',
      path: '/v1.0/vims/:vimId',
      schema: { params: idParams },
      handler: async (req, reply) => {
        await removeVim(deps, vimId(req));
        req.log.info({ vimId: vimId(req) }, 'VIM deleted');
        return reply.code(204).send();
      },
    },
  ]);
}
