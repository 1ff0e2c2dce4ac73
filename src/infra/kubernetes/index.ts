// Kubernetes infra drivers. Manifest mode: `createManifestDriver()`. A failed step
// throws an error carrying the state reached so far (`infraStateOf(err)`), which
// the engine persists so that a retry or a rollback (terminate) finds every object.
export { createManifestDriver } from './manifest-driver.ts';
export { DEF_FILES_PARAM, loadManifests } from './manifests.ts';
export { INSTANCE_LABEL } from './render.ts';
export { InfraTimeoutError } from './readiness.ts';
export {
  type ErrorWithState,
  infraStateOf,
  type ManifestState,
  type ResourceRef,
  readState,
  type WorkloadRef,
} from './state.ts';
