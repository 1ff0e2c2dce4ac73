// /v1.0/vims: the Kubernetes VIM registry in the shape Tacker's NFVO API and
// python-tackerclient use (`{"vim": {...}}`), secrets always masked.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { getVim, listVims } from '../db/queries/vims.ts';
import { notFound } from '../errors.ts';
import { vimView } from '../vim/model.ts';
import { registerVim, removeVim, updateVim, type VimDeps } from '../vim/registry.ts';
import { VimCreateRequest, VimUpdateRequest } from './schemas/index.ts';

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

  app.post<{ Body: VimCreateRequest }>(
    '/v1.0/vims',
    { schema: { body: VimCreateRequest } },
    async (req, reply) => {
      const vim = await registerVim(deps, req.body.vim);
      req.log.info({ vimId: vim.id, name: vim.name }, 'VIM registered');
      return reply
        .code(201)
        .header('location', `/v1.0/vims/${vim.id}`)
        .send({ vim: vimView(vim) });
    },
  );

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
    app[method]<{ Params: { vimId: string }; Body: VimUpdateRequest }>(
      '/v1.0/vims/:vimId',
      { schema: { params: idParams, body: VimUpdateRequest } },
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
