// SOL005 VNF package management, /vnfpkgm/v1/vnf_packages: create, upload (body or
// URI), read with SOL013 filter/selectors/paging, modify, delete, and the
// package's VNFD, content and artifacts.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import yazl from 'yazl';
import type { AppContext } from '../context.ts';
import { getPackage, getPackageVnfd, listPackages } from '../db/queries/packages.ts';
import { conflict, notFound, ProblemError } from '../errors.ts';
import { artifactMediaType } from '../packages/artifact-type.ts';
import { resolveInPackage } from '../packages/csar/index.ts';
import { pkgLinks, type VnfPkgInfo } from '../packages/model.ts';
import {
  createPackage,
  modifyPackage,
  type PackageDeps,
  removePackage,
  uploadContent,
  uploadFromUri,
} from '../packages/operations.ts';
import { packageQuota } from '../packages/quota.ts';
import { PackageStorage } from '../packages/storage.ts';
import { vnfdArchiveFiles } from '../packages/vnfd/index.ts';
import {
  CreateVnfPkgInfoRequest,
  UploadVnfPkgFromUriRequest,
  VnfPkgInfoModifications,
} from './schemas/index.ts';
import { VNF_PKG_INFO_LIST } from './sol013/attributes.ts';
import { type ListQuery, listAnswer } from './sol013/list.ts';
import { API_VERSIONS, apiVersionRoutes } from './sol013/versions.ts';

/** SOL005 v2.6.1's VNF package management API version (its URIs stay /vnfpkgm/v1). */
export const API_VERSION = API_VERSIONS.vnfpkgm;
const BASE = '/vnfpkgm/v1/vnf_packages';
const idParams = { type: 'object', properties: { vnfPkgId: { type: 'string', maxLength: 64 } } } as const;

export function view(p: VnfPkgInfo): Record<string, unknown> {
  return { ...p, _links: pkgLinks(p.id) };
}

export function packageDeps(ctx: AppContext): PackageDeps {
  const storage = new PackageStorage(ctx.config.dataDir);
  return {
    db: ctx.db,
    log: ctx.log,
    storage,
    quota: packageQuota(storage, ctx.config.packageQuotaBytes),
    maxPackageBytes: 8 * 1024 ** 3,
    uriTimeoutMs: 60_000,
  };
}

async function onboarded(ctx: AppContext, id: string): Promise<VnfPkgInfo> {
  const pkg = await getPackage(ctx.db, id);
  if (!pkg) throw notFound(`VNF package ${id} does not exist`);
  if (pkg.onboardingState !== 'ONBOARDED')
    throw conflict(`VNF package ${id} is ${pkg.onboardingState}, not ONBOARDED`);
  return pkg;
}

function sendFile(reply: FastifyReply, path: string, type: string): FastifyReply {
  return reply.type(type).send(createReadStream(path));
}

export function vnfpkgmRoutes(
  app: FastifyInstance,
  ctx: AppContext,
  deps: PackageDeps = packageDeps(ctx),
): void {
  // Package content is streamed to disk by the handler, never buffered here.
  const passThrough = (_req: unknown, payload: Readable, done: (e: Error | null, body?: unknown) => void) =>
    done(null, payload);
  app.addContentTypeParser(['application/zip', 'application/octet-stream'], passThrough);
  apiVersionRoutes(app, { apiName: 'vnfpkgm', version: API_VERSION, uriMajor: 'v1' });

  app.post<{ Body: CreateVnfPkgInfoRequest }>(
    BASE,
    { schema: { body: CreateVnfPkgInfoRequest } },
    async (req, reply) => {
      const pkg = await createPackage(deps, req.body?.userDefinedData);
      return reply.code(201).header('location', `${BASE}/${pkg.id}`).send(view(pkg));
    },
  );

  app.get<{ Querystring: ListQuery }>(BASE, async (req, reply) =>
    listAnswer(req, reply, (await listPackages(ctx.db)).map(view), VNF_PKG_INFO_LIST, ctx.config.pageSize),
  );

  app.get<{ Params: { vnfPkgId: string } }>(
    `${BASE}/:vnfPkgId`,
    { schema: { params: idParams } },
    async (req) => {
      const pkg = await getPackage(ctx.db, req.params.vnfPkgId);
      if (!pkg) throw notFound(`VNF package ${req.params.vnfPkgId} does not exist`);
      return view(pkg);
    },
  );

  app.patch<{ Params: { vnfPkgId: string }; Body: VnfPkgInfoModifications }>(
    `${BASE}/:vnfPkgId`,
    { schema: { params: idParams, body: VnfPkgInfoModifications } },
    async (req) => modifyPackage(deps, req.params.vnfPkgId, req.body),
  );

  app.delete<{ Params: { vnfPkgId: string } }>(
    `${BASE}/:vnfPkgId`,
    { schema: { params: idParams } },
    async (req, reply) => {
      await removePackage(deps, req.params.vnfPkgId);
      return reply.code(204).send();
    },
  );

  app.put<{ Params: { vnfPkgId: string }; Body: Readable }>(
    `${BASE}/:vnfPkgId/package_content`,
    { schema: { params: idParams } },
    async (req, reply) => {
      if (!req.body || typeof (req.body as Readable).pipe !== 'function') {
        throw new ProblemError(415, 'Unsupported Media Type', 'send the CSAR as application/zip');
      }
      await uploadContent(deps, req.params.vnfPkgId, req.body);
      return reply.code(202).send();
    },
  );

  app.post<{ Params: { vnfPkgId: string }; Body: UploadVnfPkgFromUriRequest }>(
    `${BASE}/:vnfPkgId/package_content/upload_from_uri`,
    { schema: { params: idParams, body: UploadVnfPkgFromUriRequest } },
    async (req, reply) => {
      await uploadFromUri(deps, req.params.vnfPkgId, req.body);
      return reply.code(202).send();
    },
  );

  app.get<{ Params: { vnfPkgId: string } }>(
    `${BASE}/:vnfPkgId/package_content`,
    { schema: { params: idParams } },
    async (req, reply) => {
      const pkg = await onboarded(ctx, req.params.vnfPkgId);
      return sendFile(reply, deps.storage.zip(pkg.id), 'application/zip');
    },
  );

  app.get<{ Params: { vnfPkgId: string } }>(
    `${BASE}/:vnfPkgId/vnfd`,
    { schema: { params: idParams } },
    async (req, reply) => {
      const pkg = await onboarded(ctx, req.params.vnfPkgId);
      const vnfd = await getPackageVnfd<{ files: string[]; entryDefinitions: string }>(ctx.db, pkg.id);
      const files = vnfd?.files ?? [];
      const root = deps.storage.content(pkg.id);
      const accept = req.headers.accept ?? 'text/plain';
      const wantsZip = accept.includes('application/zip');
      const acceptsText = accept.includes('text/plain') || accept.includes('*/*');
      // SOL005 §9.4.4.3.2: text/plain only for a VNFD that is one file; zip otherwise.
      if (!wantsZip && acceptsText && files.length === 1)
        return sendFile(reply, join(root, files[0] as string), 'text/plain');
      if (!wantsZip) {
        throw new ProblemError(406, 'Not Acceptable', 'the VNFD has several files; ask for application/zip');
      }
      // Self-contained: every file the VNFD imports, transitively, the SOL001 type files too.
      const zip = new yazl.ZipFile();
      for (const f of vnfdArchiveFiles(root, vnfd?.entryDefinitions ?? files[0] ?? ''))
        zip.addFile(f.abs, f.name);
      const meta = join(root, 'TOSCA-Metadata', 'TOSCA.meta');
      if (await stat(meta).catch(() => undefined)) zip.addFile(meta, 'TOSCA-Metadata/TOSCA.meta');
      zip.end();
      return reply.type('application/zip').send(zip.outputStream);
    },
  );

  app.get<{ Params: { vnfPkgId: string; '*': string } }>(
    `${BASE}/:vnfPkgId/artifacts/*`,
    async (req, reply) => {
      const pkg = await onboarded(ctx, req.params.vnfPkgId);
      const path = req.params['*'];
      const artifact = pkg.additionalArtifacts?.find((a) => a.artifactPath === path);
      if (!artifact) throw notFound(`VNF package ${pkg.id} has no artifact '${path}'`);
      return sendFile(reply, resolveInPackage(deps.storage.content(pkg.id), path), artifactMediaType(path));
    },
  );
}
