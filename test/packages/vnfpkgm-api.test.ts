// SOL005 /vnfpkgm/v1 over real HTTP on SQLite and PostgreSQL: onboarding a
// Tacker-style CNF package, reading it back (VNFD, content, artifacts), SOL013
// filters/selectors/paging, the 409 rules, and bad packages that end in ERROR
// with the exact reason and nothing left on disk.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { VNF_PKG_INFO_ATTRIBUTES } from '../../src/api/sol013/attributes.ts';
import { PackageStorage } from '../../src/packages/storage.ts';
import { assertKnownAttributes } from '../helpers/attributes.ts';
import { freePort } from '../../testbed/lib/proc.ts';
import { CHART_PATH, cnfPackage, MANIFEST_PATH } from '../helpers/cnf-package.ts';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { renameEntry } from '../helpers/zip.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';
import { eventually } from '../helpers/wait.ts';

const BASE = '/vnfpkgm/v1/vnf_packages';
const validPkg = etsiValidator('sol005-vnfpkgm-v2.6.1/vnfPkgInfo.schema.json');
const validList = etsiValidator('sol005-vnfpkgm-v2.6.1/vnfPkgsInfo.schema.json');

for (const store of STORES) {
  describe(`VNF packages on ${store}`, () => {
    let vnfm: TestVnfm;
    before(async () => {
      vnfm = await startVnfm(await freshStore(store), { pageSize: 2 });
    });
    after(() => vnfm.close());

    const create = async (userDefinedData?: object) => {
      const res = await vnfm.request('POST', BASE, userDefinedData ? { userDefinedData } : {});
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    };
    const settle = (id: string) =>
      eventually(
        `package ${id} to finish onboarding`,
        async () => (await vnfm.request('GET', `${BASE}/${id}`)).body,
        (p) => p.onboardingState === 'ONBOARDED' || p.onboardingState === 'ERROR',
        30_000,
      );
    const onboardZip = async (zip: Buffer) => {
      const pkg = await create();
      const put = await vnfm.request('PUT', `${BASE}/${pkg.id}/package_content`, zip);
      assert.equal(put.status, 202, JSON.stringify(put.body));
      return settle(pkg.id);
    };

    test('a Tacker-style CNF package onboards with what its VNFD declares', async () => {
      const pkg = await create({ owner: 'ops' });
      assert.equal(pkg.onboardingState, 'CREATED');
      assert.equal(pkg.operationalState, 'DISABLED');
      assert.equal(pkg.usageState, 'NOT_IN_USE');
      assert.deepEqual(validPkg(pkg), []);
      const { zip, vnfdId } = await cnfPackage();
      assert.equal((await vnfm.request('PUT', `${BASE}/${pkg.id}/package_content`, zip)).status, 202);
      const done = await settle(pkg.id);
      assert.equal(done.onboardingState, 'ONBOARDED', JSON.stringify(done.onboardingFailureDetails));
      assert.deepEqual(validPkg(done), []);
      assert.equal(done.vnfdId, vnfdId);
      assert.equal(done.vnfProvider, 'Company');
      assert.equal(done.vnfProductName, 'Sample CNF');
      assert.equal(done.vnfSoftwareVersion, '1.0');
      assert.equal(done.vnfdVersion, '1.0');
      assert.equal(done.operationalState, 'ENABLED');
      assert.deepEqual(done.checksum, {
        algorithm: 'SHA-256',
        hash: createHash('sha256').update(zip).digest('hex'),
      });
      const paths = done.additionalArtifacts.map((a: { artifactPath: string }) => a.artifactPath).sort();
      assert.deepEqual(paths, [CHART_PATH, MANIFEST_PATH]);
      assert.deepEqual(done.userDefinedData, { owner: 'ops' });

      const content = await vnfm.request('GET', `${BASE}/${pkg.id}/package_content`);
      assert.equal(content.status, 200);
      assert.ok(content.raw.equals(zip), 'package_content returns the uploaded CSAR');
      const art = await vnfm.request('GET', `${BASE}/${pkg.id}/artifacts/${MANIFEST_PATH}`);
      assert.equal(art.status, 200);
      assert.match(art.raw.toString(), /name: vdu1-app/);
      assert.equal((await vnfm.request('GET', `${BASE}/${pkg.id}/artifacts/Files/none.yaml`)).status, 404);
      const text = await vnfm.request('GET', `${BASE}/${pkg.id}/vnfd`, undefined, { accept: 'text/plain' });
      assert.equal(text.status, 406, 'a multi-file VNFD is not served as text/plain');
      const vnfdZip = await vnfm.request('GET', `${BASE}/${pkg.id}/vnfd`, undefined, {
        accept: 'application/zip',
      });
      assert.equal(vnfdZip.status, 200);
      assert.match(vnfdZip.headers.get('content-type') ?? '', /application\/zip/);
      assert.ok(vnfdZip.raw.includes(Buffer.from('Definitions/sample_cnf_df_helmchart.yaml')));
    });

    test('SOL013 filter, attribute selectors and paging on the list', async () => {
      const list = await vnfm.request('GET', `${BASE}?filter=(eq,onboardingState,ONBOARDED)&all_fields`);
      assert.equal(list.status, 200);
      assert.deepEqual(validList(list.body), []);
      assert.ok(list.body.length >= 1);
      assert.ok(list.body.every((p: { onboardingState: string }) => p.onboardingState === 'ONBOARDED'));
      assert.ok(list.body[0].additionalArtifacts, 'all_fields keeps complex attributes');
      assertKnownAttributes(VNF_PKG_INFO_ATTRIBUTES, list.body);
      const dflt = await vnfm.request('GET', `${BASE}?filter=(eq,onboardingState,ONBOARDED)`);
      assert.equal(dflt.body[0].additionalArtifacts, undefined, 'excluded by default');
      const fields = await vnfm.request(
        'GET',
        `${BASE}?filter=(eq,onboardingState,ONBOARDED)&fields=userDefinedData`,
      );
      assert.ok(fields.body[0].userDefinedData);
      const none = await vnfm.request('GET', `${BASE}?filter=(eq,vnfProductName,'No such product')`);
      assert.deepEqual(none.body, []);
      assert.equal((await vnfm.request('GET', `${BASE}?filter=(like,id,1)`)).status, 400);
      assert.equal((await vnfm.request('GET', `${BASE}?all_fields&fields=x`)).status, 400);
      // Only VnfPkgInfo's attributes, never a prototype's; nested ones and userDefinedData keys are fine.
      for (const query of [
        'filter=(eq,constructor,x)',
        'filter=(eq,__proto__,x)',
        'filter=(eq,toString,x)',
        'filter=(eq,checksum/nosuch,x)',
        'fields=nosuch',
        'exclude_fields=additionalArtifacts/__proto__',
      ]) {
        const res = await vnfm.request('GET', `${BASE}?${query}`);
        assert.equal(res.status, 400, query);
        assert.match(res.body.detail, /is not an attribute/, query);
      }
      const nested = await vnfm.request(
        'GET',
        `${BASE}?filter=(eq,additionalArtifacts/checksum/algorithm,SHA-256);(neq,userDefinedData/x,y)`,
      );
      assert.equal(nested.status, 200, JSON.stringify(nested.body));

      for (let i = 0; i < 3; i++) await create();
      const seen = new Set<string>();
      let next: string | undefined = `${BASE}`;
      let pages = 0;
      while (next) {
        const page = await vnfm.request('GET', next);
        assert.equal(page.status, 200);
        assert.ok(page.body.length <= 2);
        for (const p of page.body) seen.add(p.id);
        next = /<([^>]+)>; rel="next"/.exec(page.headers.get('link') ?? '')?.[1];
        pages++;
      }
      const total = (await vnfm.ctx.db.selectFrom('vnf_packages').select('id').execute()).length;
      assert.equal(seen.size, total, 'paging visits every package once');
      assert.ok(pages >= 2);
      assert.equal((await vnfm.request('GET', `${BASE}?nextpage_opaque_marker=bogus`)).status, 400);
    });

    test('PATCH and DELETE follow the 409 rules', async () => {
      const done = await onboardZip((await cnfPackage()).zip);
      const url = `${BASE}/${done.id}`;
      assert.equal((await vnfm.request('DELETE', url)).status, 409, 'ENABLED cannot be deleted');
      let res = await vnfm.request('PATCH', url, {
        operationalState: 'DISABLED',
        userDefinedData: { a: '1' },
      });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { operationalState: 'DISABLED', userDefinedData: { a: '1' } });
      res = await vnfm.request('PATCH', url, { operationalState: 'DISABLED' });
      assert.equal(res.status, 409);
      assert.match(res.body.detail, /already DISABLED/);
      assert.equal((await vnfm.request('PATCH', url, { bogus: 1 })).status, 400);
      assert.equal(
        (await vnfm.request('PUT', `${url}/package_content`, (await cnfPackage()).zip)).status,
        409,
      );
      const fresh = await create();
      res = await vnfm.request('PATCH', `${BASE}/${fresh.id}`, { operationalState: 'ENABLED' });
      assert.equal(res.status, 409, 'a CREATED package has no operational state to change');
      assert.equal((await vnfm.request('DELETE', url)).status, 204);
      assert.equal((await vnfm.request('GET', url)).status, 404);
      assert.equal(existsSync(new PackageStorage(vnfm.ctx.config.dataDir).dir(done.id)), false);
    });

    test('PATCH userDefinedData is a JSON Merge Patch, as merge-patch+json and as plain JSON', async () => {
      const pkg = await create({ keep: 'k', drop: 'd', nested: { a: '1', b: '2' } });
      const url = `${BASE}/${pkg.id}`;
      const merge = { 'content-type': 'application/merge-patch+json' };
      let res = await vnfm.request(
        'PATCH',
        url,
        { userDefinedData: { drop: null, nested: { a: null, c: '3' }, added: ['x'] } },
        merge,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual((await vnfm.request('GET', url)).body.userDefinedData, {
        keep: 'k',
        nested: { b: '2', c: '3' },
        added: ['x'],
      });
      // Tacker sends application/json: the same semantics.
      res = await vnfm.request('PATCH', url, { userDefinedData: { nested: null, keep: 'k2' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual((await vnfm.request('GET', url)).body.userDefinedData, { keep: 'k2', added: ['x'] });
      res = await vnfm.request('PATCH', url, { userDefinedData: null }, merge);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual((await vnfm.request('GET', url)).body.userDefinedData, {});
      // Not a JSON type at all: refused before the route.
      res = await vnfm.request('PATCH', url, { userDefinedData: {} }, { 'content-type': 'text/plain' });
      assert.equal(res.status, 415);
    });

    test('bad packages end in ERROR with the exact reason and no content left', async () => {
      const storage = new PackageStorage(vnfm.ctx.config.dataDir);
      const cases: [string, Promise<Buffer>, RegExp][] = [
        [
          'hash mismatch',
          cnfPackage({ wrongHashFor: CHART_PATH }).then((p) => p.zip),
          /Files\/kubernetes\/app-0\.1\.0\.tgz/,
        ],
        [
          'zip slip',
          // yazl refuses such names, so the entry is renamed in the built zip (same length).
          cnfPackage({ edit: (f) => f.set('xx/escape.txt', 'x') }).then((p) =>
            renameEntry(p.zip, 'xx/escape.txt', '../escape.txt'),
          ),
          /escape\.txt/,
        ],
        [
          'unknown node type',
          cnfPackage({
            edit: (f) => {
              const df = 'Definitions/sample_cnf_df_helmchart.yaml';
              f.set(
                df,
                String(f.get(df)).replace(
                  'type: tosca.nodes.nfv.Vdu.Compute',
                  'type: tosca.nodes.nfv.Vdu.Bogus',
                ),
              );
            },
          }).then((p) => p.zip),
          /tosca\.nodes\.nfv\.Vdu\.Bogus/,
        ],
        [
          'Entry-Definitions pointing nowhere',
          cnfPackage({ edit: (f) => f.delete('Definitions/sample_cnf_top.vnfd.yaml') }).then((p) => p.zip),
          /sample_cnf_top\.vnfd\.yaml/,
        ],
        ['not a zip', Promise.resolve(Buffer.from('this is not a zip file')), /zip/i],
      ];
      for (const [name, zip, detail] of cases) {
        const done = await onboardZip(await zip);
        assert.equal(done.onboardingState, 'ERROR', name);
        assert.match(done.onboardingFailureDetails?.detail ?? '', detail, name);
        assert.equal(done.vnfdId, undefined, `${name}: no vnfdId recorded`);
        assert.equal(existsSync(storage.content(done.id)), false, `${name}: no extracted content left`);
        assert.equal(
          (await vnfm.request('DELETE', `${BASE}/${done.id}`)).status,
          204,
          `${name}: can be deleted`,
        );
      }
    });

    test('a second package with the same vnfdId fails onboarding', async () => {
      const { zip, vnfdId } = await cnfPackage();
      const first = await onboardZip(zip);
      assert.equal(first.onboardingState, 'ONBOARDED');
      const second = await onboardZip((await cnfPackage({ vnfdId })).zip);
      assert.equal(second.onboardingState, 'ERROR');
      assert.match(
        second.onboardingFailureDetails.detail,
        new RegExp(`${vnfdId}.*already onboarded.*${first.id}`),
      );
    });

    describe('upload from URI', () => {
      let server: Server;
      let port = 0;
      let zip: Buffer;
      before(async () => {
        zip = (await cnfPackage()).zip;
        port = await freePort();
        server = createServer((req, res) => {
          if (
            req.url === '/pkg.zip' &&
            req.headers.authorization === `Basic ${Buffer.from('u:p').toString('base64')}`
          ) {
            res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
          } else res.writeHead(req.url === '/pkg.zip' ? 401 : 404).end();
        });
        await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
      });
      after(() => server.close());

      test('fetches, onboards, and never shows the credentials', async () => {
        const pkg = await create();
        const res = await vnfm.request('POST', `${BASE}/${pkg.id}/package_content/upload_from_uri`, {
          addressInformation: `http://127.0.0.1:${port}/pkg.zip`,
          authType: 'BASIC',
          userName: 'u',
          password: 'p',
        });
        assert.equal(res.status, 202);
        const done = await settle(pkg.id);
        assert.equal(done.onboardingState, 'ONBOARDED', JSON.stringify(done.onboardingFailureDetails));
        assert.ok(!JSON.stringify(done).includes('"p"'));
      });

      test('unreachable URI, HTTP error, bad scheme', async () => {
        let pkg = await create();
        const down = await freePort();
        let res = await vnfm.request('POST', `${BASE}/${pkg.id}/package_content/upload_from_uri`, {
          addressInformation: `http://127.0.0.1:${down}/pkg.zip`,
        });
        assert.equal(res.status, 202);
        let done = await settle(pkg.id);
        assert.equal(done.onboardingState, 'ERROR');
        assert.match(
          done.onboardingFailureDetails.detail,
          new RegExp(`127\\.0\\.0\\.1:${down}/pkg\\.zip: ECONNREFUSED`),
        );

        pkg = await create();
        await vnfm.request('POST', `${BASE}/${pkg.id}/package_content/upload_from_uri`, {
          addressInformation: `http://127.0.0.1:${port}/pkg.zip`,
        });
        done = await settle(pkg.id);
        assert.match(done.onboardingFailureDetails.detail, /HTTP 401/);

        pkg = await create();
        res = await vnfm.request('POST', `${BASE}/${pkg.id}/package_content/upload_from_uri`, {
          addressInformation: 'file:///etc/passwd',
        });
        assert.equal(res.status, 400);
        assert.equal((await vnfm.request('GET', `${BASE}/${pkg.id}`)).body.onboardingState, 'CREATED');
      });
    });
  });
}
