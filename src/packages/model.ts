// VnfPkgInfo (SOL005 v2.6.1 §9.5.2.5) and its states: the one definition the
// store, the onboarding pipeline and the API share.
import type { ProblemDetails } from '../errors.ts';

export type OnboardingState = 'CREATED' | 'UPLOADING' | 'PROCESSING' | 'ONBOARDED' | 'ERROR';
export type OperationalState = 'ENABLED' | 'DISABLED';
export type UsageState = 'IN_USE' | 'NOT_IN_USE';

export interface Checksum {
  algorithm: string;
  hash: string;
}

export interface PackageArtifactInfo {
  artifactPath: string;
  checksum: Checksum;
  metadata?: Record<string, unknown>;
}

export interface VnfPkgInfo {
  id: string;
  vnfdId?: string;
  vnfProvider?: string;
  vnfProductName?: string;
  vnfSoftwareVersion?: string;
  vnfdVersion?: string;
  checksum?: Checksum;
  softwareImages?: unknown[];
  additionalArtifacts?: PackageArtifactInfo[];
  onboardingState: OnboardingState;
  operationalState: OperationalState;
  usageState: UsageState;
  /** Present when onboardingState is ERROR: what exactly was wrong with the package. */
  onboardingFailureDetails?: ProblemDetails;
  userDefinedData?: Record<string, unknown>;
}

/** Complex attributes left out of list answers unless asked for (SOL005 §9.4.2.3.2). */
export const VNF_PKG_DEFAULT_EXCLUDED = [
  'softwareImages',
  'additionalArtifacts',
  'userDefinedData',
  'checksum',
  'onboardingFailureDetails',
];

export function pkgLinks(id: string) {
  const self = `/vnfpkgm/v1/vnf_packages/${id}`;
  return {
    self: { href: self },
    vnfd: { href: `${self}/vnfd` },
    packageContent: { href: `${self}/package_content` },
  };
}
