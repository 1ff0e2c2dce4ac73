// The SOL005 operations on a VNF package: create, upload (body or URI), modify,
// delete, and start-up recovery. Each checks the package state first (409 with the
// reason otherwise) and moves it with compare-and-set, so concurrent requests
// cannot both succeed.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  deletePackage,
  getPackage,
  listPackages,
  updatePackage,
  insertPackage,
} from '../db/queries/packages.ts';
import { badRequest, conflict, notFound, ProblemError } from '../errors.ts';
import { patchObject } from '../merge-patch.ts';
import { PACKAGE_DELETED, PACKAGE_OP_STATE_CHANGED } from '../notify/pkg-notifications.ts';
import type { VnfPkgInfo } from './model.ts';
import { onboard, type OnboardDeps } from './onboard.ts';
import { receiveToFile, TooLargeError } from './receive.ts';

export interface PackageDeps extends OnboardDeps {
  maxPackageBytes: number;
  uriTimeoutMs: number;
}

export async function createPackage(
  deps: PackageDeps,
  userDefinedData?: Record<string, unknown>,
): Promise<VnfPkgInfo> {
  const pkg: VnfPkgInfo = {
    id: randomUUID(),
    onboardingState: 'CREATED',
    operationalState: 'DISABLED',
    usageState: 'NOT_IN_USE',
    ...(userDefinedData ? { userDefinedData } : {}),
  };
  await insertPackage(deps.db, pkg);
  return pkg;
}

async function mustGet(deps: PackageDeps, id: string): Promise<VnfPkgInfo> {
  const pkg = await getPackage(deps.db, id);
  if (!pkg) throw notFound(`VNF package ${id} does not exist`);
  return pkg;
}

/** CREATED → UPLOADING, or 409 naming the state the package is in. */
async function startUpload(deps: PackageDeps, id: string): Promise<VnfPkgInfo> {
  const pkg = await mustGet(deps, id);
  const uploading: VnfPkgInfo = { ...pkg, onboardingState: 'UPLOADING' };
  if (pkg.onboardingState !== 'CREATED' || !(await updatePackage(deps.db, uploading, ['CREATED']))) {
    throw conflict(
      `VNF package ${id} is ${pkg.onboardingState}; content can be uploaded only when it is CREATED`,
    );
  }
  await deps.storage.prepare(id);
  return uploading;
}

async function failOnboarding(deps: PackageDeps, pkg: VnfPkgInfo, detail: string) {
  deps.log.warn({ vnfPkgId: pkg.id, detail }, 'upload from URI failed');
  await deps.storage.remove(pkg.id);
  const failed: VnfPkgInfo = {
    ...pkg,
    onboardingState: 'ERROR',
    onboardingFailureDetails: { status: 422, title: 'Onboarding failed', detail },
  };
  return updatePackage(deps.db, failed, ['UPLOADING']);
}

/**
 * Stores the content as the package's zip (with its checksum), then UPLOADING →
 * PROCESSING. It may not grow past the size limit nor past what the storage quota
 * has left (TooLargeError naming which).
 */
async function receive(deps: PackageDeps, pkg: VnfPkgInfo, source: Readable): Promise<void> {
  const room = await deps.quota.room(pkg.id);
  const byQuota = room < deps.maxPackageBytes;
  try {
    const { checksum } = await receiveToFile(source, deps.storage.upload(pkg.id), deps.storage.zip(pkg.id), {
      maxBytes: byQuota ? room : deps.maxPackageBytes,
      ...(byQuota
        ? {
            reason:
              `package content exceeds the ${room} bytes left in ${deps.quota.described}; ` +
              `delete packages or raise the quota`,
          }
        : {}),
      progress: (size) => deps.quota.track(pkg.id, size),
    });
    await updatePackage(deps.db, { ...pkg, onboardingState: 'PROCESSING', checksum }, ['UPLOADING']);
  } finally {
    deps.quota.release(pkg.id);
  }
}

/**
 * PUT package_content: the body is read to disk before answering (so a client
 * sees 202 only for content that arrived); onboarding then runs in the background.
 */
export async function uploadContent(deps: PackageDeps, id: string, body: Readable): Promise<void> {
  const pkg = await startUpload(deps, id);
  try {
    await receive(deps, pkg, body);
  } catch (e) {
    await updatePackage(deps.db, { ...pkg, onboardingState: 'CREATED' }, ['UPLOADING']);
    if (e instanceof TooLargeError) throw new ProblemError(413, 'Payload Too Large', e.message);
    throw badRequest(`package upload failed: ${(e as Error).message}`);
  }
  void onboard(deps, id);
}

export interface UploadFromUriRequest {
  addressInformation: string;
  authType?: 'BASIC' | 'OAUTH2_CLIENT_CREDENTIALS';
  userName?: string;
  password?: string;
}

/** upload_from_uri: 202 at once; fetching and onboarding run in the background, failures end in ERROR. */
export async function uploadFromUri(deps: PackageDeps, id: string, req: UploadFromUriRequest): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.addressInformation);
  } catch {
    throw badRequest(`addressInformation '${req.addressInformation}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badRequest(`addressInformation must be http or https, got '${url.protocol}'`);
  }
  if (req.authType === 'OAUTH2_CLIENT_CREDENTIALS')
    throw badRequest('authType OAUTH2_CLIENT_CREDENTIALS is not supported');
  const pkg = await startUpload(deps, id);
  void (async () => {
    const headers: Record<string, string> = {};
    if (req.authType === 'BASIC' || req.userName) {
      headers.authorization = `Basic ${Buffer.from(`${req.userName ?? ''}:${req.password ?? ''}`).toString('base64')}`;
    }
    const where = `${url.origin}${url.pathname}`; // never the credentials
    let source: Readable;
    try {
      const res = await fetch(url, {
        headers,
        signal: AbortSignal.timeout(deps.uriTimeoutMs),
        redirect: 'follow',
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    } catch (e) {
      const why = (e as Error & { cause?: { code?: string } }).cause?.code ?? (e as Error).message;
      await failOnboarding(deps, pkg, `cannot fetch the package from ${where}: ${why}`);
      return;
    }
    try {
      await receive(deps, pkg, source);
    } catch (e) {
      await failOnboarding(deps, pkg, `cannot fetch the package from ${where}: ${(e as Error).message}`);
      return;
    }
    await onboard(deps, id);
  })();
}

export interface PkgModification {
  operationalState?: 'ENABLED' | 'DISABLED';
  userDefinedData?: Record<string, unknown> | null;
}

/** PATCH: operational state (only of an onboarded package, only a real change) and user data (merge patch; null removes). */
export async function modifyPackage(
  deps: PackageDeps,
  id: string,
  mod: PkgModification,
): Promise<PkgModification> {
  if (mod.operationalState === undefined && mod.userDefinedData === undefined) {
    throw badRequest('give operationalState and/or userDefinedData');
  }
  const pkg = await mustGet(deps, id);
  const next: VnfPkgInfo = { ...pkg };
  if (mod.operationalState !== undefined) {
    if (pkg.onboardingState !== 'ONBOARDED') {
      throw conflict(
        `VNF package ${id} is ${pkg.onboardingState}; its operational state changes only once ONBOARDED`,
      );
    }
    if (pkg.operationalState === mod.operationalState) {
      throw conflict(`VNF package ${id} is already ${mod.operationalState}`);
    }
    next.operationalState = mod.operationalState;
  }
  if (mod.userDefinedData !== undefined) {
    // JSON Merge Patch (RFC 7396); a null for the whole object leaves no user data.
    next.userDefinedData = patchObject(pkg.userDefinedData, mod.userDefinedData) ?? {};
  }
  // Compare-and-set on the operational state read too, so of two concurrent changes only one
  // happens and is notified; a PATCH of user data alone notifies nothing (SOL005 §9.5.2.9).
  const changes = next.operationalState !== pkg.operationalState;
  const moved = await updatePackage(deps.db, next, [pkg.onboardingState], {
    operationalState: pkg.operationalState,
    ...(changes ? { notify: PACKAGE_OP_STATE_CHANGED } : {}),
  });
  if (!moved) throw conflict(`VNF package ${id} changed state meanwhile; retry`);
  return mod;
}

/** DELETE: allowed unless the package is onboarded and ENABLED or IN_USE, or an upload is under way. */
export async function removePackage(deps: PackageDeps, id: string): Promise<void> {
  const pkg = await mustGet(deps, id);
  if (pkg.onboardingState === 'UPLOADING' || pkg.onboardingState === 'PROCESSING') {
    throw conflict(`VNF package ${id} is ${pkg.onboardingState}; wait until it is ONBOARDED or ERROR`);
  }
  if (pkg.onboardingState === 'ONBOARDED' && pkg.operationalState !== 'DISABLED') {
    throw conflict(
      `VNF package ${id} is ENABLED; disable it (PATCH operationalState DISABLED) before deleting`,
    );
  }
  if (pkg.usageState === 'IN_USE') throw conflict(`VNF package ${id} is IN_USE by VNF instances`);
  // Only the deletion of an onboarded package is reported (SOL005 §9.5.2.9), in its transaction.
  const notify = pkg.onboardingState === 'ONBOARDED' ? PACKAGE_DELETED : undefined;
  if (!(await deletePackage(deps.db, pkg, notify))) {
    await mustGet(deps, id); // 404 if another request deleted it first
    throw conflict(`VNF package ${id} changed state meanwhile; retry`);
  }
  await deps.storage.remove(id);
}

/** After a restart: an interrupted upload goes back to CREATED; an interrupted onboarding runs again. */
export async function recoverPackages(deps: PackageDeps): Promise<void> {
  for (const pkg of await listPackages(deps.db)) {
    if (pkg.onboardingState === 'UPLOADING') {
      await updatePackage(deps.db, { ...pkg, onboardingState: 'CREATED' }, ['UPLOADING']);
      await deps.storage.remove(pkg.id);
    } else if (pkg.onboardingState === 'PROCESSING') {
      await deps.storage.removeContent(pkg.id);
      void onboard(deps, pkg.id);
    }
  }
}
