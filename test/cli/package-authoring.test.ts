// `vnfm package build` and `vnfm package init` as an operator runs them: the real
// bin/vnfm as a child process, its stdout (a line, `-o json`, `-q`), its exit code and
// its one-line errors; the zip it writes is the one buildPackage makes and onboards
// on a real VNFM; init renders with the helm named by --helm or VNFM_HELM_BINARY.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { buildPackage } from '../../src/packages/build.ts';
import { type CliResult, runVnfm } from '../helpers/cli.ts';
import { onboardZip } from '../helpers/lcm.ts';
import { freshStore } from '../helpers/stores.ts';
import { testbed } from '../helpers/testbed.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const SAMPLE = new URL('../../samples/helm-cnf', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'cli-package-authoring-'));

function vnfm(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runVnfm(args, { cwd: scratch, env });
}

/** Exit 1, nothing on stdout, exactly one line `vnfm: …` on stderr. */
function assertOneLineError(r: CliResult, message: RegExp): void {
  assert.equal(r.code, 1, JSON.stringify(r));
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^vnfm: [^\n]+\n$/, 'one line');
  assert.match(r.stderr, message);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let server: TestVnfm;
before(async () => {
  server = await startVnfm(await freshStore('sqlite'));
});
after(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('vnfm package build', () => {
  test('writes the zip buildPackage makes; a line, -o json or -q on stdout; it onboards', async () => {
    const out = join(scratch, 'helm-cnf.zip');
    const line = await vnfm(['package', 'build', SAMPLE, '--out', out]);
    assert.equal(line.code, 0, line.stderr);
    assert.equal(line.stderr, '');
    const zip = readFileSync(out);
    assert.deepEqual(zip, await buildPackage(SAMPLE));
    assert.equal(line.stdout, `${out}: 6 files, ${zip.length} bytes, SHA-256 ${sha256(zip)}\n`);

    const json = await vnfm(['package', 'build', SAMPLE, '--out', out, '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const result = JSON.parse(json.stdout);
    assert.equal(result.sha256, sha256(zip), 'the same bytes again');
    assert.ok(result.entries.includes('Files/kubernetes/web-1.0.0.tgz'));

    const quiet = await vnfm(['package', 'build', SAMPLE, '--out', out, '-q']);
    assert.equal(quiet.stdout, `${out}\n`);

    await onboardZip(server, zip);
  });

  test('default output beside the directory; a zip written inside it is not packaged', async () => {
    const dir = join(scratch, 'copy');
    cpSync(SAMPLE, dir, { recursive: true });
    assert.equal((await vnfm(['package', 'build', 'copy'])).code, 0);
    assert.ok(existsSync(join(scratch, 'copy.zip')));
    const inside = join(dir, 'out.zip');
    assert.equal((await vnfm(['package', 'build', dir, '--out', inside])).code, 0);
    const first = readFileSync(inside);
    assert.equal((await vnfm(['package', 'build', dir, '--out', inside])).code, 0);
    assert.deepEqual(readFileSync(inside), first);
    assert.deepEqual(first, readFileSync(join(scratch, 'copy.zip')));
  });

  test('refusals: one line, exit 1', async () => {
    assertOneLineError(
      await vnfm(['package', 'build', join(scratch, 'nothing')]),
      /nothing: no such directory/,
    );
    assertOneLineError(await vnfm(['package', 'build', scratch]), /no VNFD/);
  });
});

describe('vnfm package init', () => {
  test('scaffolds from a helm create chart with --helm or VNFM_HELM_BINARY; the package builds and onboards', async () => {
    const env = await testbed();
    await promisify(execFile)(env.helm3, ['create', 'shop'], {
      cwd: scratch,
      env: { PATH: process.env.PATH, HOME: scratch },
    });
    const r = await vnfm(['package', 'init', '--chart', 'shop', '--helm', env.helm3, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.dir, 'shop-vnf', 'the default directory');
    assert.deepEqual(
      result.vdus.map((v: any) => [v.id, v.kind, v.name, v.replicaValue]),
      [['VDU1', 'Deployment', 'shop', 'replicaCount']],
    );

    const byEnv = await vnfm(
      [
        'package',
        'init',
        '--chart',
        'shop',
        '--out',
        'shop2',
        '--vnfd-id',
        'b7e0c3a1-5d2f-4c8e-9a6b-1f3d5e7a9c02',
      ],
      {
        VNFM_HELM_BINARY: env.helm4,
      },
    );
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.match(
      byEnv.stdout,
      /^shop2: VNFD b7e0c3a1-5d2f-4c8e-9a6b-1f3d5e7a9c02, VDU1=Deployment\/shop; aspects vdu1_aspect=replicaCount\. Next: vnfm package build shop2\n$/,
    );

    const built = await vnfm(['package', 'build', 'shop2', '-q']);
    assert.equal(built.code, 0, built.stderr);
    await onboardZip(server, readFileSync(join(scratch, 'shop2.zip')));
  });

  test('refusals: one line, exit 1', async () => {
    const env = await testbed();
    assertOneLineError(
      await vnfm(['package', 'init', '--chart', 'shop', '--out', 'x1', '--helm', join(scratch, 'no-helm')]),
      /cannot run helm: .*no-helm not found/,
    );
    assertOneLineError(
      await vnfm(['package', 'init', '--chart', 'shop', '--out', 'shop2', '--helm', env.helm3]),
      /shop2 is not empty/,
    );
    assertOneLineError(
      await vnfm(['package', 'init', '--chart', 'none.tgz', '--helm', env.helm3]),
      /none\.tgz: no such file/,
    );
    const missing = await vnfm(['package', 'init']);
    assert.equal(missing.code, 2, 'a usage error');
    assert.match(missing.stderr, /required option '--chart <chart>' not specified/);
  });
});
