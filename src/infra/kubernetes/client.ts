// The Kubernetes API clients of one driver call, built from the VIM, and the two
// helpers every caller needs: "is this a 404" and "say why the API refused, in one line".
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  HttpMethod,
  KubernetesObjectApi,
  type KubernetesObject,
  PatchStrategy,
  Watch,
} from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { kubeConfigForVim } from '../../vim/kubeconfig.ts';
import type { Vim } from '../../vim/model.ts';

/** The generic object client, plus access to the discovery data it already caches. */
export class ObjectApi extends KubernetesObjectApi {
  /** Whether the cluster serves `kind` in `apiVersion` as a namespaced resource; undefined if it does not serve it. */
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    return (await this.resource(apiVersion, kind))?.namespaced;
  }

  /** The resource (plural name, scope) serving `kind` in `apiVersion`; undefined if the cluster does not serve it. */
  async served(apiVersion: string, kind: string): Promise<{ name: string; namespaced: boolean } | undefined> {
    return await this.resource(apiVersion, kind);
  }

  /**
   * Server-side apply of `obj` exactly as given (creates or updates). The inherited
   * `patch` first passes a built-in kind through the client's typed model, which
   * silently drops every field it does not know — a typo, or a field newer than the
   * client. Here the API server sees the manifest itself and, with strict field
   * validation, refuses an unknown field with a reason, as `kubectl apply` does.
   */
  async apply(obj: KubernetesObject, fieldManager: string): Promise<KubernetesObject> {
    const path = await this.specUriPath(obj, 'patch');
    const req = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    req.setHeaderParam('Accept', 'application/json');
    req.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    req.setQueryParam('fieldManager', fieldManager);
    // This instance's objects are the driver's to set, whoever changed a field since.
    req.setQueryParam('force', 'true');
    req.setQueryParam('fieldValidation', 'Strict');
    req.setBody(JSON.stringify(obj));
    return this.requestPromise(req);
  }
}

export interface KubeClients {
  objects: ObjectApi;
  core: CoreV1Api;
  apps: AppsV1Api;
  /** Watches through the same connection pool (waits for readiness, infra/kubernetes/watch.ts). */
  watch: Watch;
}

const CACHED_VIMS = 32;
const cache = new Map<string, KubeClients>();

/**
 * The API clients of a VIM, kept for later operations (with their connections) while
 * the VIM's address and credentials stay the same; a changed credential is a new entry.
 */
export function kubeClients(vim: Vim): KubeClients {
  const key = createHash('sha256')
    .update(JSON.stringify([vim.id, vim.authUrl, vim.authCred]))
    .digest('hex');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key); // most recently used last
    cache.set(key, hit);
    return hit;
  }
  const kc = kubeConfigForVim(vim);
  const clients = {
    objects: kc.makeApiClient(ObjectApi),
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    watch: new Watch(kc),
  };
  cache.set(key, clients);
  if (cache.size > CACHED_VIMS) cache.delete(cache.keys().next().value!);
  return clients;
}

/** The name the driver's writes are recorded under (server-side apply field manager). */
export const FIELD_MANAGER = 'helm-vnfm';

export const isNotFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/** "422 Deployment.apps "x" is invalid: …" from an ApiException; the first line of anything else. */
export function apiReason(err: unknown): string {
  if (err instanceof ApiException) {
    let body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: use the text itself
      }
    }
    const msg =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : typeof body === 'string' && body.trim() !== ''
          ? body
          : 'no reason given';
    return `HTTP ${err.code}: ${oneLine(msg)}`;
  }
  return oneLine(err instanceof Error ? `${err.message}${networkCause(err)}` : String(err));
}

/** fetch() hides why a connection failed in `cause` chains; operators need that reason. */
function networkCause(err: Error): string {
  let cause = (err as { cause?: unknown }).cause;
  while (cause && typeof cause === 'object') {
    const c = cause as { code?: string; message?: string; cause?: unknown };
    if (c.code) return ` (API server unreachable: ${c.code}${c.message ? ` ${c.message}` : ''})`;
    cause = c.cause;
  }
  return /fetch failed|ECONNREFUSED|ETIMEDOUT|socket/i.test(err.message) ? ' (API server unreachable)' : '';
}

const oneLine = (s: string) => (s.split('\n')[0] ?? '').trim();

/** "Deployment ns/name" or "ClusterRole name": how errors and logs name an object. */
export function describeObject(o: { kind: string; name: string; namespace?: string | undefined }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** The identifying header of an object, as the generic client wants it for read/delete. */
export function header(o: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string | undefined;
}) {
  return {
    apiVersion: o.apiVersion,
    kind: o.kind,
    metadata: { name: o.name, ...(o.namespace ? { namespace: o.namespace } : {}) },
  } satisfies KubernetesObject;
}
