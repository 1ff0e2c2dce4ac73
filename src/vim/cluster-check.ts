// Checks that a Kubernetes API server answers with the given credentials before a
// VIM is stored. An invalid token is refused by the API server (401) even on
// endpoints anonymous users may read, so GET /version proves the credentials.
import { request } from 'node:https';
import type { KubeAuthCred } from './model.ts';

export class ClusterCheckError extends Error {
  override name = 'ClusterCheckError';
}

export function checkCluster(
  authUrl: string,
  cred: KubeAuthCred,
  timeoutMs = 10_000,
): Promise<{ gitVersion: string }> {
  let url: URL;
  try {
    url = new URL(authUrl);
  } catch {
    return Promise.reject(new ClusterCheckError(`auth_url '${authUrl}' is not a URL`));
  }
  if (url.protocol !== 'https:') {
    return Promise.reject(new ClusterCheckError(`auth_url must be https://, got '${url.protocol}'`));
  }
  const base = url.pathname.replace(/\/+$/, '');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port || 443,
        path: `${base}/version`,
        method: 'GET',
        ca: cred.ssl_ca_cert || undefined,
        cert: cred.client_cert || undefined,
        key: cred.client_key || undefined,
        headers: cred.bearer_token ? { authorization: `Bearer ${cred.bearer_token}` } : {},
        timeout: timeoutMs,
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 401)
            return reject(new ClusterCheckError(`${authUrl} refused the credentials (401 Unauthorized)`));
          if (status === 403)
            return reject(new ClusterCheckError(`${authUrl} denied access (403 Forbidden)`));
          if (status !== 200)
            return reject(new ClusterCheckError(`${authUrl}/version answered HTTP ${status}`));
          try {
            resolve({ gitVersion: String((JSON.parse(body) as { gitVersion?: string }).gitVersion ?? '') });
          } catch {
            reject(
              new ClusterCheckError(`${authUrl}/version did not answer JSON; is it a Kubernetes API server?`),
            );
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new ClusterCheckError(`${authUrl} did not answer within ${timeoutMs / 1000}s`)),
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof ClusterCheckError) return reject(e);
      const why =
        e.code === 'ECONNREFUSED'
          ? 'connection refused'
          : e.code?.startsWith('ERR_TLS') || /certificate/i.test(e.message)
            ? `TLS: ${e.message} (check ssl_ca_cert)`
            : e.message;
      reject(new ClusterCheckError(`${authUrl} is unreachable: ${why}`));
    });
    req.end();
  });
}
