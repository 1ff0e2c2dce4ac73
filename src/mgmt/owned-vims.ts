// OwnedVims: the VIMs a MgmtDriver registers for its own instance (the cluster it
// built). Keyed by owner and name, so a retried registration updates the VIM it made
// instead of adding a second; the cluster is proven with the credentials first, as
// an operator's registration is (src/vim/registry.ts). Operators cannot change or
// delete such a VIM while its owner exists (registry.ts refuses with 409).
import { randomUUID } from 'node:crypto';
import { getVim, saveVim, vimNameTaken, deleteVim } from '../db/queries/vims.ts';
import {
  insertOwnedVim,
  instancesUsingVim,
  ownedVimByName,
  setVimStatus,
  vimOwner,
} from '../db/queries/owned-vims.ts';
import { conflict } from '../errors.ts';
import type { LcmContext } from '../lcm/context.ts';
import { validateAuthCred } from '../vim/credentials.ts';
import type { Vim } from '../vim/model.ts';
import { normaliseExtra, proveCluster } from '../vim/registry.ts';
import type { OwnedVims } from './driver.ts';

export function ownedVims(ctx: Pick<LcmContext, 'db' | 'secrets' | 'drivers'>, owner: string): OwnedVims {
  const { db, secrets } = ctx;
  const mine = async (vimId: string): Promise<Vim> => {
    const vim = (await vimOwner(db, vimId)) === owner ? await getVim(db, secrets, vimId) : undefined;
    if (!vim) throw conflict(`VIM ${vimId} is not one VNF instance ${owner} registered`);
    return vim;
  };
  return {
    async upsert(body) {
      const authCred = { ...body.auth_cred };
      validateAuthCred(authCred);
      const extra = normaliseExtra(body.extra);
      const existing = await ownedVimByName(db, secrets, owner, body.name);
      if (!existing && (await vimNameTaken(db, body.name)))
        throw conflict(`a VIM named '${body.name}' already exists (not registered by VNF instance ${owner})`);
      await proveCluster(body.auth_url, authCred);
      const now = new Date().toISOString();
      if (existing) {
        const next: Vim = {
          ...existing,
          authUrl: body.auth_url,
          authCred,
          extra,
          status: 'REACHABLE',
          updatedAt: now,
        };
        await saveVim(db, secrets, next, false);
        return next;
      }
      const vim: Vim = {
        id: randomUUID(),
        name: body.name,
        description: `registered by the MgmtDriver of VNF instance ${owner}`,
        type: 'kubernetes',
        authUrl: body.auth_url,
        projectName: 'default',
        isDefault: false,
        status: 'REACHABLE',
        authCred,
        extra,
        createdAt: now,
        updatedAt: null,
      };
      await insertOwnedVim(db, secrets, vim, owner);
      return vim;
    },
    async get(vimId) {
      return (await vimOwner(db, vimId)) === owner ? getVim(db, secrets, vimId) : undefined;
    },
    async setStatus(vimId, status) {
      await mine(vimId);
      await setVimStatus(db, vimId, status);
    },
    async remove(vimId) {
      if ((await vimOwner(db, vimId)) !== owner) {
        if (!(await getVim(db, secrets, vimId))) return; // already gone: a retried removal
        await mine(vimId);
      }
      const users = await instancesUsingVim(db, vimId, owner);
      if (users.length > 0) throw conflict(`VIM ${vimId} is used by VNF instances ${users.join(', ')}`);
      await deleteVim(db, vimId);
      await ctx.drivers.helm.vimRemoved?.(vimId);
    },
    usedBy: (vimId) => instancesUsingVim(db, vimId, owner),
  };
}
