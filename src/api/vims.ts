// /v1.0/vims: the Kubernetes VIM registry in the shape Tacker's NFVO API and
// python-tackerclient use (`{"vim": {...}}`), secrets always masked.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { getVim, listVims } from '../db/queries/vims.ts';
import { notFound } from '../errors.ts';
import { vimView } from '../vim/model.ts';
import { registerVim, removeVim, updateVim, type VimBody, type VimDeps } from '../vim/registry.ts';

const authCredSchema = {
  type: 'object',
  properties: {
    bearer_token: { type: 'string' },
    ssl_ca_cert: { type: 'string' },
    client_cert: { type: 'string' },
    client_key: { type: 'string' },
    username: { type: 'string' },
    password: { type: 'string' },
  },
} as const;

const vimFields = {
  name: { type: 'string', maxLength: 255 },
  description: { type: 'string', maxLength: 1024 },
  type: { type: 'string' },
  auth_url: { type: 'string', maxLength: 2048 },
  auth_cred: authCredSchema,
  vim_project: { type: 'object', properties: { name: { type: 'string' } } },
  is_default: { type: 'boolean' },
  extra: { type: 'object' },
} as const;

const createBody = {
  type: 'object',
  required: ['vim'],
  properties: {
    vim: { type: 'object', required: ['name', 'type', 'auth_url', 'auth_cred'], properties: vimFields },
  },
} as const;

const updateBody = {
  type: 'object',
  required: ['vim'],
  properties: { vim: { type: 'object', properties: vimFields } },
} as const;

const idParams = { type: 'object', properties: { vimId: { type: 'string', maxLength: 64 } } } as const;

export function vimRoutes(app: FastifyInstance, ctx: AppContext): void {
  const deps: VimDeps = {
    db: ctx.db,
    secrets: ctx.secrets,
    vimInUse: ctx.vimInUse,
    vimRemoved: async (id) => {
      for (const d of Object.values(ctx.lcm.drivers)) await d.vimRemoved?.(id);
    },
  };

  app.post<{ Body: { vim: VimBody } }>('/v1.0/vims', { schema: { body: createBody } }, async (req, reply) => {
    const vim = await registerVim(deps, req.body.vim);
    req.log.info({ vimId: vim.id, name: vim.name }, 'VIM registered');
    return reply
      .code(201)
      .header('location', `/v1.0/vims/${vim.id}`)
      .send({ vim: vimView(vim) });
  });

  app.get('/v1.0/vims', async () => ({ vims: (await listVims(ctx.db, ctx.secrets)).map(vimView) }));

  app.get<{ Params: { vimId: string } }>(
    '/v1.0/vims/:vimId',
    { schema: { params: idParams } },
    async (req) => {
      const vim = await getVim(ctx.db, ctx.secrets, req.params.vimId);
      if (!vim) throw notFound(`VIM ${req.params.vimId} does not exist`);
      return { vim: vimView(vim) };
    },
  );

  for (const method of ['put', 'patch'] as const) {
    app[method]<{ Params: { vimId: string }; Body: { vim: VimBody } }>(
      '/v1.0/vims/:vimId',
      { schema: { params: idParams, body: updateBody } },
      async (req) => ({
        vim: vimView(await updateVim(deps, req.params.vimId, req.body.vim, method === 'patch')),
      }),
    );
  }

  app.delete<{ Params: { vimId: string } }>(
    '/v1.0/vims/:vimId',
    { schema: { params: idParams } },
    async (req, reply) => {
      await removeVim(deps, req.params.vimId);
      req.log.info({ vimId: req.params.vimId }, 'VIM deleted');
      return reply.code(204).send();
    },
  );
}
