// VIM registry operations: register, update, remove. Each validates its input,
// proves the cluster answers with the credentials, then stores; nothing is stored
// half-way when a step fails.
import { randomUUID } from 'node:crypto';
import { getVim, saveVim, vimNameTaken, deleteVim as deleteVimRow } from '../db/queries/vims.ts';
import type { Db } from '../db/connect.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { SecretBox } from '../secrets/box.ts';
import { checkCluster, ClusterCheckError } from './cluster-check.ts';
import { type HelmInfo, type KubeAuthCred, MASK, type Vim, type VimExtra } from './model.ts';
import { parsePythonLiteral } from './python-literal.ts';

export interface VimDeps {
  db: Db;
  secrets: SecretBox;
  /** Whether a VIM is referenced by a VNF instance (then it cannot be deleted). */
  vimInUse: (vimId: string) => Promise<boolean>;
  /** Called once a VIM is deleted, to remove what was kept for it beside the store (local helm homes). */
  vimRemoved?: (vimId: string) => Promise<void>;
}

export interface VimBody {
  name?: string;
  description?: string;
  type?: string;
  auth_url?: string;
  auth_cred?: KubeAuthCred;
  vim_project?: { name?: string };
  is_default?: boolean;
  extra?: Record<string, unknown>;
}

/** helm_info as JSON, or as the Python-literal string existing deployments store. */
export function normaliseHelmInfo(raw: unknown): HelmInfo {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = parsePythonLiteral(raw);
    } catch (e) {
      throw badRequest(`extra.helm_info is not a valid dict: ${(e as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('extra.helm_info must be an object');
  }
  const info = { ...(value as Record<string, unknown>) };
  // The spec's own sample gives a single address as a string.
  if (typeof info.masternode_ip === 'string') info.masternode_ip = [info.masternode_ip];
  const ips = info.masternode_ip;
  if (!Array.isArray(ips) || ips.some((ip) => typeof ip !== 'string' || ip.trim() === '')) {
    throw badRequest('extra.helm_info.masternode_ip must be a list of addresses');
  }
  for (const k of ['masternode_username', 'masternode_password', 'masternode_private_key'] as const) {
    if (info[k] !== undefined && typeof info[k] !== 'string')
      throw badRequest(`extra.helm_info.${k} must be a string`);
  }
  if (ips.length > 0 && !info.masternode_username) {
    throw badRequest('extra.helm_info.masternode_username is required with masternode_ip');
  }
  if (ips.length > 0 && !info.masternode_password && !info.masternode_private_key) {
    throw badRequest('extra.helm_info needs masternode_password or masternode_private_key');
  }
  const port = info.masternode_port;
  if (port !== undefined && (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535)) {
    throw badRequest('extra.helm_info.masternode_port must be an integer 1-65535');
  }
  return info as unknown as HelmInfo;
}

function normaliseExtra(extra: Record<string, unknown> | undefined): VimExtra {
  if (!extra) return {};
  return extra.helm_info === undefined ? extra : { ...extra, helm_info: normaliseHelmInfo(extra.helm_info) };
}

function validateAuth(cred: KubeAuthCred): void {
  const hasToken = Boolean(cred.bearer_token);
  const hasCert = Boolean(cred.client_cert && cred.client_key);
  if (!hasToken && !hasCert) throw badRequest('auth_cred needs bearer_token, or client_cert with client_key');
}

async function proveCluster(authUrl: string, cred: KubeAuthCred): Promise<void> {
  try {
    await checkCluster(authUrl, cred);
  } catch (e) {
    if (e instanceof ClusterCheckError) throw badRequest(`VIM check failed: ${e.message}`);
    throw e;
  }
}

export async function registerVim(deps: VimDeps, body: VimBody): Promise<Vim> {
  if (body.type !== 'kubernetes') throw badRequest(`type must be 'kubernetes', got '${body.type}'`);
  const name = body.name?.trim() ?? '';
  if (!name) throw badRequest('name is required');
  if (!body.auth_url) throw badRequest('auth_url is required');
  const authCred = body.auth_cred ?? {};
  validateAuth(authCred);
  const extra = normaliseExtra(body.extra);
  if (await vimNameTaken(deps.db, name)) throw conflict(`a VIM named '${name}' already exists`);
  await proveCluster(body.auth_url, authCred);
  const vim: Vim = {
    id: randomUUID(),
    name,
    description: body.description ?? '',
    type: 'kubernetes',
    authUrl: body.auth_url,
    projectName: body.vim_project?.name ?? 'default',
    isDefault: body.is_default ?? false,
    status: 'REACHABLE',
    authCred,
    extra,
    createdAt: new Date().toISOString(),
    updatedAt: null,
  };
  await saveVim(deps.db, deps.secrets, vim, true);
  return vim;
}

/** A masked value sent back by a client means "keep what is stored". */
function keepMasked<T extends object>(incoming: T, stored: T): T {
  const out = { ...incoming } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) if (v === MASK) out[k] = (stored as Record<string, unknown>)[k];
  return out as T;
}

/** PUT replaces the fields it names; PATCH (merge) also merges auth_cred and extra.helm_info. */
export async function updateVim(deps: VimDeps, id: string, body: VimBody, merge: boolean): Promise<Vim> {
  const current = await getVim(deps.db, deps.secrets, id);
  if (!current) throw notFound(`VIM ${id} does not exist`);
  if (body.type !== undefined && body.type !== current.type)
    throw badRequest('type of a VIM cannot be changed');
  const next: Vim = { ...current, updatedAt: new Date().toISOString() };
  if (body.name !== undefined) {
    next.name = body.name.trim();
    if (!next.name) throw badRequest('name cannot be empty');
    if (await vimNameTaken(deps.db, next.name, id))
      throw conflict(`a VIM named '${next.name}' already exists`);
  }
  if (body.description !== undefined) next.description = body.description;
  if (body.vim_project?.name !== undefined) next.projectName = body.vim_project.name;
  if (body.is_default !== undefined) next.isDefault = body.is_default;
  if (body.auth_url !== undefined) next.authUrl = body.auth_url;
  if (body.auth_cred !== undefined) {
    const incoming = keepMasked(body.auth_cred, current.authCred);
    next.authCred = merge ? { ...current.authCred, ...incoming } : incoming;
    validateAuth(next.authCred);
  }
  if (body.extra !== undefined) {
    const incoming = { ...body.extra };
    const storedHelm = current.extra.helm_info;
    if (incoming.helm_info !== undefined && storedHelm) {
      const helm =
        typeof incoming.helm_info === 'string' ? normaliseHelmInfo(incoming.helm_info) : incoming.helm_info;
      const kept = keepMasked(helm as HelmInfo, storedHelm);
      incoming.helm_info = merge ? { ...storedHelm, ...kept } : kept;
    }
    next.extra = normaliseExtra(merge ? { ...current.extra, ...incoming } : incoming);
  }
  if (body.auth_url !== undefined || body.auth_cred !== undefined)
    await proveCluster(next.authUrl, next.authCred);
  await saveVim(deps.db, deps.secrets, next, false);
  return next;
}

export async function removeVim(deps: VimDeps, id: string): Promise<void> {
  if (!(await getVim(deps.db, deps.secrets, id))) throw notFound(`VIM ${id} does not exist`);
  if (await deps.vimInUse(id)) throw conflict(`VIM ${id} is used by a VNF instance`);
  await deleteVimRow(deps.db, id);
  await deps.vimRemoved?.(id);
}
