// Onboarding: PROCESSING → ONBOARDED | ERROR. Reads the uploaded CSAR (safe
// extraction, integrity), loads and checks the VNFD, and records what the
// package declares. On any failure the package goes to ERROR with the exact
// reason, and none of its files stay behind (the zip is only served once
// ONBOARDED), so a rejected package holds none of the storage quota.
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Db } from '../db/connect.ts';
import { getPackage, packageWithVnfdId, updatePackage } from '../db/queries/packages.ts';
import type { ProblemDetails } from '../errors.ts';
import type { Logger } from '../log.ts';
import { PACKAGE_ONBOARDED } from '../notify/pkg-notifications.ts';
import { type Csar, CsarError, DEFAULT_ZIP_LIMITS, readCsar } from './csar/index.ts';
import { fileDigest } from './csar/digest.ts';
import type { PackageArtifactInfo, VnfPkgInfo } from './model.ts';
import { type PackageQuota, QuotaError } from './quota.ts';
import type { PackageStorage } from './storage.ts';
import { loadVnfd, type Vnfd, VnfdError } from './vnfd/index.ts';
import { onboarded, secondsSince } from '../metrics/registry.ts';

export interface OnboardDeps {
  db: Db;
  storage: PackageStorage;
  /** The storage quota of all packages together; an extraction reserves its size first. */
  quota: PackageQuota;
  log: Logger;
}

export class OnboardingError extends Error {
  override name = 'OnboardingError';
}

/** Files under these folders describe the package; everything else is an artifact. */
const DESCRIPTOR_DIRS = ['TOSCA-Metadata/', 'Definitions/'];

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** additionalArtifacts: every non-descriptor file, with its declared hash or one computed here. */
async function artifactInfos(csar: Csar, vnfd: Vnfd): Promise<PackageArtifactInfo[]> {
  const declared = new Map(csar.artifacts.filter((a) => !a.nonFileUri).map((a) => [a.path, a]));
  const skip = new Set([csar.entryDefinitions, csar.manifestPath, ...vnfd.files].filter(Boolean));
  const out: PackageArtifactInfo[] = [];
  for (const path of (await listFiles(csar.root)).sort()) {
    if (skip.has(path) || DESCRIPTOR_DIRS.some((d) => path.startsWith(d))) continue;
    const d = declared.get(path);
    const checksum =
      d?.algorithm && d.hash
        ? { algorithm: d.algorithm, hash: d.hash }
        : { algorithm: 'SHA-256', hash: await fileDigest(join(csar.root, path), 'SHA-256') };
    out.push({
      artifactPath: path,
      checksum,
      ...(d?.contentType ? { metadata: { contentType: d.contentType } } : {}),
    });
  }
  return out;
}

/** Digests the package declared (manifest, TOSCA.meta) by file path; what MgmtDrivers may use (src/mgmt/verified-file.ts). */
export type DeclaredDigests = Record<string, { algorithm: string; hash: string }>;

function declaredDigests(csar: Csar): DeclaredDigests {
  return Object.fromEntries(
    csar.artifacts
      .filter((a) => !a.nonFileUri && a.algorithm && a.hash)
      .map((a) => [a.path, { algorithm: a.algorithm as string, hash: a.hash as string }]),
  );
}

function failure(e: unknown): ProblemDetails {
  if (
    e instanceof CsarError ||
    e instanceof VnfdError ||
    e instanceof OnboardingError ||
    e instanceof QuotaError
  ) {
    return { status: 422, title: 'Onboarding failed', detail: e.message };
  }
  return { status: 500, title: 'Onboarding failed', detail: `internal error: ${(e as Error).message}` };
}

/** Runs onboarding of a package in PROCESSING; never throws (failures become ERROR). */
export async function onboard(deps: OnboardDeps, id: string): Promise<VnfPkgInfo | undefined> {
  const pkg = await getPackage(deps.db, id);
  if (!pkg || pkg.onboardingState !== 'PROCESSING') return pkg;
  const log = deps.log.child({ vnfPkgId: id });
  const started = performance.now();
  try {
    const csar = await readCsar(deps.storage.zip(id), deps.storage.content(id), DEFAULT_ZIP_LIMITS, (bytes) =>
      deps.quota.reserve(id, bytes, 'extracting the package'),
    );
    const vnfd = loadVnfd(csar.root, csar.entryDefinitions);
    const holder = await packageWithVnfdId(deps.db, vnfd.vnfdId);
    if (holder && holder !== id)
      throw new OnboardingError(`vnfdId ${vnfd.vnfdId} is already onboarded by package ${holder}`);
    const next: VnfPkgInfo = {
      ...pkg,
      vnfdId: vnfd.vnfdId,
      vnfProvider: vnfd.provider,
      vnfProductName: vnfd.productName,
      vnfSoftwareVersion: vnfd.softwareVersion,
      vnfdVersion: vnfd.vnfdVersion,
      softwareImages: [],
      additionalArtifacts: await artifactInfos(csar, vnfd),
      onboardingState: 'ONBOARDED',
      operationalState: 'ENABLED',
    };
    try {
      if (
        !(await updatePackage(deps.db, next, ['PROCESSING'], {
          vnfd: { entryDefinitions: csar.entryDefinitions, declaredDigests: declaredDigests(csar), ...vnfd },
          // SOL005 §9.5.2.8: written in the transaction that makes it ONBOARDED.
          notify: PACKAGE_ONBOARDED,
        }))
      ) {
        throw new OnboardingError('the package changed state during onboarding');
      }
    } catch (e) {
      // The unique index on vnfd_id settles a race between two packages of one VNFD.
      if (/unique/i.test((e as Error).message)) {
        throw new OnboardingError(`vnfdId ${vnfd.vnfdId} is already onboarded by another package`);
      }
      throw e;
    }
    log.info({ vnfdId: vnfd.vnfdId }, 'package onboarded');
    onboarded('ONBOARDED', secondsSince(started));
    return next;
  } catch (e) {
    const details = failure(e);
    log.warn({ detail: details.detail }, 'package onboarding failed');
    await deps.storage.remove(id);
    const failed: VnfPkgInfo = { ...pkg, onboardingState: 'ERROR', onboardingFailureDetails: details };
    await updatePackage(deps.db, failed, ['PROCESSING']);
    onboarded('ERROR', secondsSince(started));
    return failed;
  } finally {
    deps.quota.release(id);
  }
}
