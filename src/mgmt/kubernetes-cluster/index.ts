// The built-in `kubernetes-cluster` MgmtDriver: installs Kubernetes and Helm on the VNF's
// pool hosts with the package's scripts and registers the cluster as a Kubernetes VIM
// with extra.helm_info (docs/mgmt-driver.md). Each hook is its own module.
import type { MgmtDriver } from '../driver.ts';
import { accept } from './accept.ts';
import { cleanHost } from './clean.ts';
import { compensate } from './compensate.ts';
import { healEnd, healStart } from './heal.ts';
import { instantiateEnd } from './instantiate.ts';
import { parseClusterParams } from './params.ts';
import { scaleEnd, scaleStart } from './scale.ts';
import { terminateEnd, terminateStart } from './terminate.ts';

export const KUBERNETES_CLUSTER_DRIVER = 'kubernetes-cluster';

export const kubernetesCluster: MgmtDriver = {
  id: KUBERNETES_CLUSTER_DRIVER,
  validate(flavour, additionalParams) {
    parseClusterParams(flavour, additionalParams);
  },
  accept,
  hooks: {
    instantiate_end: instantiateEnd,
    heal_start: healStart,
    heal_end: healEnd,
    scale_start: scaleStart,
    scale_end: scaleEnd,
    terminate_start: terminateStart,
    terminate_end: terminateEnd,
  },
  compensate,
  cleanHost,
};
