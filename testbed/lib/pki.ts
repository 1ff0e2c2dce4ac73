// Certificates for the testbed cluster, made with the openssl CLI: a CA, the API
// server's serving certificate, an admin client certificate (system:masters) and
// the service-account signing key. Made once per state directory and reused.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.ts';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(p: Pki, name: string, subject: string, ext: string): Promise<void> {
  const key = join(p.dir, `${name}.key`);
  const csr = join(p.dir, `${name}.csr`);
  const extFile = join(p.dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  await run(`pki: ${name} key`, 'openssl', ['req', ...EC, '-keyout', key, '-out', csr, '-subj', subject]);
  await run(`pki: sign ${name}`, 'openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    p.caCert,
    '-CAkey',
    p.caKey,
    '-CAcreateserial',
    '-days',
    '3650',
    '-out',
    join(p.dir, `${name}.crt`),
    '-extfile',
    extFile,
  ]);
}

export async function ensurePki(stateDir: string): Promise<Pki> {
  const dir = join(stateDir, 'pki');
  const p: Pki = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    adminCert: join(dir, 'admin.crt'),
    adminKey: join(dir, 'admin.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
  if (existsSync(p.saPub)) return p;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await run('pki: CA', 'openssl', [
    'req',
    '-x509',
    ...EC,
    '-keyout',
    p.caKey,
    '-out',
    p.caCert,
    '-days',
    '3650',
    '-subj',
    '/CN=helm-vnfm-testbed-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await issue(
    p,
    'apiserver',
    '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n',
  );
  await issue(
    p,
    'admin',
    '/O=system:masters/CN=testbed-admin',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n',
  );
  await run('pki: service-account key', 'openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-out',
    p.saKey,
  ]);
  await run('pki: service-account public key', 'openssl', [
    'pkey',
    '-in',
    p.saKey,
    '-pubout',
    '-out',
    p.saPub,
  ]);
  return p;
}
