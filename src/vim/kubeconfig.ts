// Kubernetes client access built from a registered VIM: the one place that turns
// auth_url + token/cert + CA into a KubeConfig (for the API client) or a
// kubeconfig file body (for a local helm binary).
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';
import type { Vim } from './model.ts';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * A KubeConfig whose API calls share one connection pool. The client library makes a
 * new undici Agent for every request, so every call opened a new TLS connection; the
 * credentials of a KubeConfig never change, so one Agent with keep-alive serves them all.
 */
class PooledKubeConfig extends KubeConfig {
  #dispatcher: Dispatcher | undefined;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getDispatcher();
    if (!made) return;
    if (!this.#dispatcher) this.#dispatcher = made;
    else if (made !== this.#dispatcher) {
      void made.close(); // never used: no connection to close
      context.setDispatcher(this.#dispatcher);
    }
  }
}

export function kubeConfigForVim(vim: Vim, namespace = 'default'): KubeConfig {
  const kc = new PooledKubeConfig();
  const cred = vim.authCred;
  kc.loadFromOptions({
    clusters: [
      {
        name: 'vim',
        server: vim.authUrl,
        ...(cred.ssl_ca_cert ? { caData: Buffer.from(cred.ssl_ca_cert).toString('base64') } : {}),
        skipTLSVerify: false,
      },
    ],
    users: [
      {
        name: 'vnfm',
        ...(cred.bearer_token ? { token: cred.bearer_token } : {}),
        ...(cred.client_cert ? { certData: Buffer.from(cred.client_cert).toString('base64') } : {}),
        ...(cred.client_key ? { keyData: Buffer.from(cred.client_key).toString('base64') } : {}),
      },
    ],
    contexts: [{ name: 'vim', cluster: 'vim', user: 'vnfm', namespace }],
    currentContext: 'vim',
  });
  return kc;
}

/** The same access as a kubeconfig document, for tools that read a file (helm). Contains secrets: write it 0600. */
export function kubeconfigYamlForVim(vim: Vim, namespace = 'default'): string {
  return kubeConfigForVim(vim, namespace).exportConfig();
}
