// What a VIM's credentials must be, and where they may go. Every credential is parsed
// at registration (a bad one is a 400 naming the field, never a 500 from a TLS or SSH
// library later). And secrets are bound to the endpoint and the trust they were
// registered with: an update that moves the API endpoint, its CA or client certificate,
// or the master nodes and their pinned host keys, must give the secrets again in the
// same request — else a client that can only update a VIM could send its stored token
// or password to a server of its choosing (the cluster check, or the next SSH login).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { badRequest } from '../errors.ts';
import { helmInfoPin, masterIdentity, masterNodes, pinFingerprint } from './helm-fields.ts';
import {
  type HelmInfo,
  type KubeAuthCred,
  SECRET_AUTH_CRED_FIELDS,
  SECRET_HELM_INFO_FIELDS,
  type Vim,
} from './model.ts';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** One or more PEM certificates and nothing else; each parses. */
function certificates(pem: string, field: string): X509Certificate[] {
  const blocks = pem.match(PEM_CERT) ?? [];
  if (blocks.length === 0 || pem.replace(PEM_CERT, '').trim() !== '')
    throw badRequest(`${field} must be PEM certificates (-----BEGIN CERTIFICATE-----)`);
  return blocks.map((b) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw badRequest(`${field} holds a PEM block that is no X.509 certificate`);
    }
  });
}

/** Where each credential field sits in the request, for the error that names it. */
export type CredentialField = (k: keyof KubeAuthCred) => string;
const authCredField: CredentialField = (k) => `auth_cred.${k}`;

/**
 * auth_cred parsed: a token fit for an HTTP header, PEM certificates, a PEM key matching its
 * certificate. `field` names the fields as the request has them (a VIM given inline in
 * vimConnectionInfo has them under accessInfo and interfaceInfo: vim/inline.ts).
 */
export function validateAuthCred(cred: KubeAuthCred, field: CredentialField = authCredField): void {
  const hasToken = Boolean(cred.bearer_token);
  const hasCert = Boolean(cred.client_cert && cred.client_key);
  if (!hasToken && !hasCert)
    throw badRequest(
      `${field('bearer_token').replace(/\.bearer_token$/, '')} needs bearer_token, or client_cert with client_key`,
    );
  // It becomes `Authorization: Bearer <token>`: a space, CR/LF or NUL would break or split the header.
  if (cred.bearer_token !== undefined && !/^[\x21-\x7e]{1,16384}$/.test(cred.bearer_token))
    throw badRequest(`${field('bearer_token')} must be printable ASCII without spaces or control characters`);
  if (cred.ssl_ca_cert) certificates(cred.ssl_ca_cert, field('ssl_ca_cert'));
  const certs = cred.client_cert ? certificates(cred.client_cert, field('client_cert')) : [];
  if (cred.client_key) {
    if (!/^\s*-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(cred.client_key))
      throw badRequest(`${field('client_key')} must be a PEM private key (-----BEGIN PRIVATE KEY-----)`);
    let key;
    try {
      key = createPrivateKey(cred.client_key);
    } catch {
      throw badRequest(
        `${field('client_key')} is not a usable PEM private key (an encrypted key is not supported)`,
      );
    }
    if (certs[0] && !certs[0].checkPrivateKey(key))
      throw badRequest(`${field('client_key')} does not belong to ${field('client_cert')}`);
  }
}

/** The secret fields this request gives values for (a masked '***' or absent field gives none). */
export interface GivenSecrets {
  authCred: ReadonlySet<string>;
  helmInfo: ReadonlySet<string>;
}

const pemText = (s: string | undefined) => (s ?? '').replace(/\s+/g, '');

/** Which part of the API endpoint or its trust changed, if any (`field` names it as the request has it). */
export function endpointChange(
  current: Pick<Vim, 'authUrl' | 'authCred'>,
  next: Pick<Vim, 'authUrl' | 'authCred'>,
  field: CredentialField = authCredField,
  urlField = 'auth_url',
): string | undefined {
  if (current.authUrl !== next.authUrl) return urlField;
  if (pemText(current.authCred.ssl_ca_cert) !== pemText(next.authCred.ssl_ca_cert))
    return field('ssl_ca_cert');
  if (pemText(current.authCred.client_cert) !== pemText(next.authCred.client_cert))
    return field('client_cert');
  return undefined;
}

/** Master nodes by machine and port, each with its pin's fingerprint ('' when none). */
function mastersAndPins(info: HelmInfo | undefined): Map<string, string> {
  return new Map(
    masterNodes(info).map((n) => {
      const pin = info && helmInfoPin(n, info);
      return [masterIdentity(n), pin ? pinFingerprint(pin) : ''];
    }),
  );
}

/** Which part of the master nodes or their trust changed: a node added (or moved port), or a pin changed. */
function mastersChange(current: HelmInfo | undefined, next: HelmInfo | undefined): string | undefined {
  const before = mastersAndPins(current);
  for (const [node, pin] of mastersAndPins(next)) {
    if (!before.has(node)) return 'extra.helm_info.masternode_ip';
    if (before.get(node) !== pin) return 'extra.helm_info.masternode_host_keys';
  }
  return undefined;
}

/**
 * Refuses an update that would carry stored secrets over to a changed endpoint or trust:
 * each secret `next` still holds must be among those the request gives.
 */
export function requireSecretsAgain(current: Vim, next: Vim, given: GivenSecrets): void {
  const endpoint = endpointChange(current, next);
  if (endpoint) {
    for (const k of SECRET_AUTH_CRED_FIELDS) {
      if (next.authCred[k] !== undefined && !given.authCred.has(k))
        throw badRequest(`${endpoint} changed: auth_cred.${k} must be given again`);
    }
  }
  const masters = mastersChange(current.extra.helm_info, next.extra.helm_info);
  if (masters) {
    for (const k of SECRET_HELM_INFO_FIELDS) {
      if (next.extra.helm_info?.[k] !== undefined && !given.helmInfo.has(k))
        throw badRequest(`${masters} changed: extra.helm_info.${k} must be given again`);
    }
  }
}
