// A real PostgreSQL for the tests that claim PostgreSQL support: Debian's server
// binaries, a fresh cluster per `up` under the state directory, on loopback with
// password (SCRAM) authentication, run as the `postgres` system user.
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, run, StepError, startDaemon, waitFor } from './proc.ts';

function serverBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest)
    throw new StepError(
      'postgres: no server binaries (run testbed/scripts/build.sh, which installs postgresql)',
    );
  return join(root, newest, 'bin');
}

export async function startPostgres(state: string): Promise<string> {
  const bin = serverBinDir();
  const dir = join(state, 'postgres');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ids = (await run('postgres: system user', 'id', ['-u', 'postgres'])).trim();
  const gid = Number((await run('postgres: system group', 'id', ['-g', 'postgres'])).trim());
  chownSync(dir, Number(ids), gid);
  const password = randomBytes(12).toString('base64url');
  const pwfile = join(dir, '.pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  chownSync(pwfile, Number(ids), gid);
  const data = join(dir, 'data');
  await run('postgres: initdb', 'runuser', [
    '-u',
    'postgres',
    '--',
    join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'vnfm',
    `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  rmSync(pwfile);
  const port = await freePort();
  startDaemon(state, 'postgres', 'runuser', [
    '-u',
    'postgres',
    '--',
    join(bin, 'postgres'),
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=200',
  ]);
  const url = `postgres://vnfm:${password}@127.0.0.1:${port}/postgres`;
  await waitFor(
    `postgres on 127.0.0.1:${port}`,
    async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.end();
      return true;
    },
    30_000,
    `see ${state}/logs/postgres.log`,
  );
  return url;
}
