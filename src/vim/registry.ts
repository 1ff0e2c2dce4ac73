// VIM registry operations: register, update, remove. Each validates its input,
// proves the cluster answers with the credentials, then stores; nothing is stored
// half-way when a step fails.
import { randomUUID } from 'node:crypto';
import { getVim, saveVim, vimNameTaken, deleteVim as deleteVimRow } from '../db/queries/vims.ts';
import { liveVimOwner } from '../db/queries/owned-vims.ts';
import type { Db } from '../db/connect.ts';
import { badRequest, conflict, notFound } from '../errors.ts';
import type { SecretBox } from '../secrets/box.ts';
import { checkCluster, ClusterCheckError } from './cluster-check.ts';
import { requireSecretsAgain, validateAuthCred } from './credentials.ts';
import { readHelmInfo } from './helm-fields.ts';
import { readPoolExtra, refuseForeignFields, requirePoolSecretsAgain } from './hostpool.ts';
import { type HelmInfo, isSecretKey, type KubeAuthCred, MASK, type Vim, type VimExtra } from './model.ts';

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

/** helm_info as JSON, or as the Python-literal string existing deployments store; every field parsed. */
export function normaliseHelmInfo(raw: unknown): HelmInfo {
  const info = readHelmInfo(raw, 'extra.helm_info', false);
  const ips = info.masternode_ip ?? [];
  if (ips.length > 0 && !info.masternode_username) {
    throw badRequest('extra.helm_info.masternode_username is required with masternode_ip');
  }
  if (ips.length > 0 && !info.masternode_password && !info.masternode_private_key) {
    throw badRequest('extra.helm_info needs masternode_password or masternode_private_key');
  }
  return { ...info, masternode_ip: ips };
}

export function normaliseExtra(extra: Record<string, unknown> | undefined): VimExtra {
  if (!extra) return {};
  return extra.helm_info === undefined ? extra : { ...extra, helm_info: normaliseHelmInfo(extra.helm_info) };
}

/** The cluster answers at authUrl with these credentials (a 400 naming what failed otherwise). */
export async function proveCluster(authUrl: string, cred: KubeAuthCred): Promise<void> {
  try {
    await checkCluster(authUrl, cred);
  } catch (e) {
    if (e instanceof ClusterCheckError) throw badRequest(`VIM check failed: ${e.message}`);
    throw e;
  }
}

export async function registerVim(deps: VimDeps, body: VimBody): Promise<Vim> {
  if (body.type !== 'kubernetes' && body.type !== 'hostpool')
    throw badRequest(`type must be 'kubernetes' or 'hostpool', got '${body.type}'`);
  const type = body.type;
  refuseForeignFields(type, body);
  const name = body.name?.trim() ?? '';
  if (!name) throw badRequest('name is required');
  const authUrl = body.auth_url ?? '';
  const authCred = body.auth_cred ?? {};
  let extra: VimExtra;
  if (type === 'hostpool') extra = readPoolExtra(body.extra).extra;
  else {
    if (!authUrl) throw badRequest('auth_url is required');
    validateAuthCred(authCred);
    extra = normaliseExtra(body.extra);
  }
  if (await vimNameTaken(deps.db, name)) throw conflict(`a VIM named '${name}' already exists`);
  // A pool has no API to prove; its hosts are proven by their pinned keys at each login.
  if (type === 'kubernetes') await proveCluster(authUrl, authCred);
  const vim: Vim = {
    id: randomUUID(),
    name,
    description: body.description ?? '',
    type,
    authUrl,
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

/** The secret fields an update gives a value for ('***' keeps the stored one: not given). */
function givenSecrets(fields: object | undefined): Set<string> {
  return new Set(
    Object.entries(fields ?? {})
      .filter(([k, v]) => isSecretKey(k) && typeof v === 'string' && v !== MASK)
      .map(([k]) => k),
  );
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
  await refuseOwned(deps, id, 'changed');
  if (body.type !== undefined && body.type !== current.type)
    throw badRequest('type of a VIM cannot be changed');
  refuseForeignFields(current.type, body);
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
  if (current.type === 'hostpool') return updatePool(deps, current, next, body, merge);
  if (body.auth_url !== undefined) next.authUrl = body.auth_url;
  const given = { authCred: givenSecrets(body.auth_cred), helmInfo: new Set<string>() };
  if (body.auth_cred !== undefined) {
    const incoming = keepMasked(body.auth_cred, current.authCred);
    next.authCred = merge ? { ...current.authCred, ...incoming } : incoming;
    validateAuthCred(next.authCred);
  }
  if (body.extra !== undefined) {
    const incoming = { ...body.extra };
    const storedHelm = current.extra.helm_info;
    if (incoming.helm_info !== undefined && incoming.helm_info !== null) {
      // Read first (a Python-dict string too); with a stored helm_info, '***' means "keep what is stored".
      const helm = readHelmInfo(incoming.helm_info, 'extra.helm_info', Boolean(storedHelm));
      given.helmInfo = givenSecrets(helm);
      if (storedHelm) {
        const kept = keepMasked(helm as HelmInfo, storedHelm);
        incoming.helm_info = merge ? { ...storedHelm, ...kept } : kept;
      }
    }
    next.extra = normaliseExtra(merge ? { ...current.extra, ...incoming } : incoming);
  }
  // Before any connection: stored secrets never go to a changed endpoint or master node.
  requireSecretsAgain(current, next, given);
  if (body.auth_url !== undefined || body.auth_cred !== undefined)
    await proveCluster(next.authUrl, next.authCred);
  await saveVim(deps.db, deps.secrets, next, false);
  return next;
}

/** The hostpool part of an update: extra (hosts) replaced by PUT, merged key by key by PATCH. */
async function updatePool(deps: VimDeps, current: Vim, next: Vim, body: VimBody, merge: boolean) {
  if (body.extra !== undefined) {
    const incoming = merge ? { ...current.extra, ...body.extra } : body.extra;
    const currentHosts = current.extra.hosts ?? [];
    const { extra, given } = readPoolExtra(incoming, currentHosts);
    // A PATCH without hosts carries the stored ones over unchanged (nothing moves, so nothing is asked again).
    requirePoolSecretsAgain(currentHosts, extra.hosts ?? [], given);
    next.extra = extra;
  }
  await saveVim(deps.db, deps.secrets, next, false);
  return next;
}

/** A VIM a MgmtDriver registered for its instance is that instance's while it exists (src/mgmt/owned-vims.ts). */
async function refuseOwned(deps: VimDeps, id: string, action: string): Promise<void> {
  const owner = await liveVimOwner(deps.db, id);
  if (owner)
    throw conflict(
      `VIM ${id} was registered by the MgmtDriver of VNF instance ${owner}: it cannot be ${action} while that instance exists`,
    );
}

export async function removeVim(deps: VimDeps, id: string): Promise<void> {
  if (!(await getVim(deps.db, deps.secrets, id))) throw notFound(`VIM ${id} does not exist`);
  await refuseOwned(deps, id, 'deleted');
  if (await deps.vimInUse(id)) throw conflict(`VIM ${id} is used by a VNF instance`);
  await deleteVimRow(deps.db, id);
  await deps.vimRemoved?.(id);
}
