// The manifest-mode infra driver: a VNF's MCIOPs are plain Kubernetes manifests
// from the package (`additionalParams['lcm-kubernetes-def-files']`), applied to the
// VIM's cluster. Each operation lives in its own module; this one only binds them.
import type { InfraDriver } from '../driver.ts';
import { changeVnfpkg, packageParams, rollbackChangeVnfpkg } from './change-vnfpkg.ts';
import { healVnfcs } from './heal.ts';
import { instantiate } from './instantiate.ts';
import { loadManifests } from './manifests.ts';
import { observe } from './observe.ts';
import { scale } from './scale.ts';
import { terminate } from './terminate.ts';

export function createManifestDriver(): InfraDriver {
  return {
    // Reads only the package: a bad request is refused before the cluster is touched.
    validate: async (ctx) => {
      loadManifests(ctx);
    },
    instantiate,
    scale,
    healVnfcs,
    terminate,
    observe,
    packageParams,
    changeVnfpkg,
    rollbackChangeVnfpkg,
  };
}
