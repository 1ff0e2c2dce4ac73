// Helm as MCIOP: the InfraDriver for Helm mode, and the pieces others reuse.
export { createHelmDriver, type HelmDriver, type HelmDriverOptions } from './helm-driver.ts';
export { masterNodes, type MasterAccess, type MasterNode, resolveMasters } from './helm-info.ts';
export { isHelmMode, parseHelmParams, type HelmParams, V2_KEYS } from './params.ts';
export { HelmError } from './errors.ts';
export type { HelmState } from './state.ts';
