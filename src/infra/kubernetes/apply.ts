// Putting objects on the cluster for a VNF instance, so that a retry converges:
// each object is first observed — absent, this instance's (by label), or someone
// else's — and only then applied with server-side apply, which creates or updates
// alike. Someone else's object is never taken over (terminate would delete it).
// Each object is recorded in the state before the write, so a write that failed
// half-way is still cleaned up by terminate (a missing object counts as deleted).
import type { KubernetesObject } from '@kubernetes/client-node';
import { conflict } from '../../errors.ts';
import type { Logger } from '../../log.ts';
import { apiReason, describeObject, FIELD_MANAGER, header, isNotFound, type KubeClients } from './client.ts';
import { INSTANCE_LABEL, type RenderedEntry } from './render.ts';
import { type ManifestState, recordResource, type ResourceRef } from './state.ts';

async function readOrUndefined(c: KubeClients, ref: ResourceRef): Promise<KubernetesObject | undefined> {
  try {
    return await c.objects.read(header(ref));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`${describeObject(ref)}: cannot be read: ${apiReason(err)}`);
  }
}

const ownerOf = (o: KubernetesObject) => o.metadata?.labels?.[INSTANCE_LABEL];

/**
 * Makes sure `state.namespace` exists. Creates it (labelled, recorded as created)
 * when absent and the manifests do not define it themselves; a namespace that
 * carries this instance's label was created by an earlier attempt and stays ours.
 */
export async function ensureNamespace(
  c: KubeClients,
  vnfInstanceId: string,
  state: ManifestState,
  definedByManifests: boolean,
  log: Logger,
): Promise<void> {
  const ref: ResourceRef = { apiVersion: 'v1', kind: 'Namespace', name: state.namespace };
  const existing = await readOrUndefined(c, ref);
  if (existing) {
    if ((existing as { status?: { phase?: string } }).status?.phase === 'Terminating') {
      throw new Error(`namespace ${state.namespace} is being deleted; retry once it is gone`);
    }
    if (ownerOf(existing) === vnfInstanceId && !definedByManifests) state.createdNamespace = true;
    return;
  }
  if (definedByManifests) return; // applied first, in apply order
  state.createdNamespace = true;
  try {
    await c.core.createNamespace({
      body: { metadata: { name: state.namespace, labels: { [INSTANCE_LABEL]: vnfInstanceId } } },
      fieldManager: FIELD_MANAGER,
    });
    log.info({ namespace: state.namespace }, 'created namespace');
  } catch (err) {
    throw new Error(`namespace ${state.namespace}: cannot be created: ${apiReason(err)}`);
  }
}

/** Applies one rendered object into `state.namespace` (if namespaced) and records it. */
export async function applyObject(
  c: KubeClients,
  vnfInstanceId: string,
  entry: RenderedEntry,
  state: ManifestState,
  log: Logger,
): Promise<void> {
  const o = entry.object;
  let namespaced: boolean | undefined;
  try {
    namespaced = await c.objects.namespaced(o.apiVersion, o.kind);
  } catch (err) {
    throw new Error(
      `${o.kind} ${o.metadata.name} (${entry.source}): API discovery failed: ${apiReason(err)}`,
    );
  }
  if (namespaced === undefined) {
    throw new Error(
      `${o.kind} ${o.metadata.name} (${entry.source}): the cluster serves no ${o.kind} in ${o.apiVersion}`,
    );
  }
  if (namespaced) o.metadata.namespace = state.namespace;
  else delete o.metadata.namespace;
  const ref: ResourceRef = {
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    ...(namespaced ? { namespace: state.namespace } : {}),
  };
  const existing = await readOrUndefined(c, ref);
  if (existing && ownerOf(existing) !== vnfInstanceId) {
    // An existing namespace is simply used; any other object would be taken from its owner.
    if (o.kind === 'Namespace') return;
    throw conflict(
      `${describeObject(ref)} (${entry.source}) already exists and does not belong to VNF instance ${vnfInstanceId}`,
    );
  }
  recordResource(state, ref);
  try {
    await c.objects.apply(o, FIELD_MANAGER);
  } catch (err) {
    throw new Error(`${describeObject(ref)} (${entry.source}): apply failed: ${apiReason(err)}`);
  }
  log.debug({ object: describeObject(ref), existed: Boolean(existing) }, 'applied');
}
