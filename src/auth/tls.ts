// HTTPS for the API: the certificate and key come from PEM files (--tls-cert,
// --tls-key) and are read again on SIGHUP, so a renewed certificate (cert-manager,
// certbot) is served without a restart. With --tls-client-ca the server asks every
// client for a certificate and refuses the TLS handshake without one that CA signed.
import { readFileSync } from 'node:fs';
import type { Server as TlsServer } from 'node:tls';
import { type Config, ConfigError } from '../config.ts';

export interface TlsMaterial {
  key: Buffer;
  cert: Buffer;
  ca?: Buffer;
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

function readPem(what: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new ConfigError(`TLS ${what} '${file}' cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
  if (!pem.includes('-----BEGIN ')) throw new ConfigError(`TLS ${what} '${file}' is not PEM`);
  return pem;
}

/** The server's TLS options, or undefined when TLS is off. */
export function tlsMaterial(config: Config): TlsMaterial | undefined {
  if (!config.tlsCert) return undefined;
  const mtls = Boolean(config.tlsClientCa);
  return {
    cert: readPem('certificate', config.tlsCert),
    key: readPem('key', config.tlsKey),
    ...(mtls ? { ca: readPem('client CA', config.tlsClientCa) } : {}),
    requestCert: mtls,
    rejectUnauthorized: mtls,
  };
}

/** Re-reads the files into the running server; the old certificate stays if they are unusable. */
export function reloadTls(server: TlsServer, config: Config): void {
  const m = tlsMaterial(config);
  if (!m) return;
  // Throws (and the old context stays) when the key does not match the certificate.
  server.setSecureContext({ key: m.key, cert: m.cert, ...(m.ca ? { ca: m.ca } : {}) });
}

/** What the start line says about TLS. */
export const tlsMode = (config: Config) => (!config.tlsCert ? 'off' : config.tlsClientCa ? 'mtls' : 'on');
