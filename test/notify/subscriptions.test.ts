// SOL003 /vnflcm/v1/subscriptions and SOL005 /vnfpkgm/v1/subscriptions over real HTTP on
// both stores (PostgreSQL from the testbed), against a receiver on loopback: the receiver
// check (GET → 204) with the subscription's own authentication, 303 for an identical
// subscription, SOL013 filter and paging, credentials sealed at rest and in no view, and
// bad requests as 400s.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { etsiValidator } from '../helpers/etsi-schema.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';
import { freshStore, STORES } from '../helpers/stores.ts';
import { startVnfm, type TestVnfm } from '../helpers/vnfm.ts';

const LCM = '/vnflcm/v1/subscriptions';
const PKGM = '/vnfpkgm/v1/subscriptions';
const validLccn = etsiValidator('sol003-vnflcm-v2.6.1/LccnSubscription.schema.json');
const validPkgm = etsiValidator('sol005-vnfpkgm-v2.6.1/PkgmSubscription.schema.json');

for (const store of STORES) {
  describe(`subscriptions on ${store}`, () => {
    let vnfm: TestVnfm;
    let receiver: Receiver;
    const PASSWORD = 'receiver-pass-0f3c';
    const CLIENT_SECRET = 'oauth-secret-77aa';

    before(async () => {
      receiver = await startReceiver({ oauthClient: { id: 'vnfm', secret: CLIENT_SECRET } });
      vnfm = await startVnfm(await freshStore(store), { worker: false, pageSize: 2 });
    });
    after(async () => {
      await vnfm.close();
      await receiver.close();
    });

    /** A POST that does not follow a 303 (the test client's fetch would). */
    async function postNoFollow(
      path: string,
      body: unknown,
    ): Promise<{ status: number; location: string | null }> {
      const res = await fetch(`${vnfm.url}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      await res.body?.cancel();
      return { status: res.status, location: res.headers.get('location') };
    }

    const gets = (path: string) => receiver.requests.filter((r) => r.method === 'GET' && r.path === path);

    describe('LCM subscriptions', () => {
      let first: { id: string; location: string };
      const filter = {
        vnfInstanceSubscriptionFilter: {
          vnfProductsFromProviders: [
            {
              vnfProvider: 'Acme',
              vnfProducts: [{ vnfProductName: 'cnf', versions: [{ vnfSoftwareVersion: '1.0' }] }],
            },
          ],
          vnfInstanceIds: ['i-1'],
        },
        notificationTypes: ['VnfLcmOperationOccurrenceNotification'],
        operationTypes: ['SCALE'],
        operationStates: ['STARTING', 'COMPLETED'],
      };

      test('POST tests the receiver with its Basic credentials, then creates it (201, ETSI shape, no credentials)', async () => {
        const res = await vnfm.request('POST', LCM, {
          filter,
          callbackUri: `${receiver.url}/lcm/a`,
          authentication: { authType: ['BASIC'], paramsBasic: { userName: 'nfvo', password: PASSWORD } },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(validLccn(res.body), []);
        assert.equal(res.headers.get('location'), `${LCM}/${res.body.id}`);
        assert.deepEqual(res.body.filter, filter);
        assert.equal(res.body._links.self.href, `${LCM}/${res.body.id}`);
        assert.equal(res.body.authentication, undefined);
        assert.ok(!res.raw.toString().includes(PASSWORD));
        const [check] = gets('/lcm/a');
        assert.ok(check, 'the receiver was tested');
        assert.equal(
          check.headers.authorization,
          `Basic ${Buffer.from(`nfvo:${PASSWORD}`).toString('base64')}`,
        );
        first = { id: res.body.id, location: res.headers.get('location') ?? '' };

        const row = await vnfm.ctx.db
          .selectFrom('subscriptions')
          .selectAll()
          .where('id', '=', first.id)
          .executeTakeFirstOrThrow();
        assert.ok(row.authentication?.startsWith('v1:'), 'sealed');
        assert.ok(!JSON.stringify(row).includes(PASSWORD));
        assert.ok(!vnfm.logs().includes(PASSWORD), 'the password is not logged');
      });

      test('an identical subscription (keys in another order, other credentials) → 303 to the first, no new test', async () => {
        const before = receiver.requests.length;
        const { operationStates, ...rest } = filter;
        const res = await postNoFollow(LCM, {
          callbackUri: `${receiver.url}/lcm/a`,
          filter: { operationStates, ...rest },
        });
        assert.equal(res.status, 303);
        assert.equal(res.location, first.location);
        assert.equal(receiver.requests.length, before);
      });

      test('GET one; GET list with a SOL013 filter and paging', async () => {
        const one = await vnfm.request('GET', first.location);
        assert.equal(one.status, 200);
        assert.deepEqual(validLccn(one.body), []);
        assert.equal(one.body.id, first.id);
        for (const path of ['/lcm/b', '/lcm/c']) {
          const res = await vnfm.request('POST', LCM, { callbackUri: `${receiver.url}${path}` });
          assert.equal(res.status, 201);
          assert.equal(res.body.filter, undefined, 'no filter: none shown');
        }
        const page1 = await vnfm.request('GET', LCM);
        assert.equal(page1.status, 200);
        // (The conformance data's LccnSubscriptions schema is one LccnSubscription, so each item is checked.)
        for (const item of page1.body) assert.deepEqual(validLccn(item), []);
        assert.equal(page1.body.length, 2);
        const link = /^<([^>]+)>; rel="next"$/.exec(page1.headers.get('link') ?? '');
        assert.ok(link?.[1], 'a next page');
        const page2 = await vnfm.request('GET', link[1]);
        assert.equal(page2.body.length, 1);
        assert.equal(page2.headers.get('link'), null);
        const ids = [...page1.body, ...page2.body].map((s: { id: string }) => s.id);
        assert.equal(new Set(ids).size, 3);

        const scale = await vnfm.request(
          'GET',
          `${LCM}?filter=${encodeURIComponent('(eq,filter/operationTypes,SCALE)')}`,
        );
        assert.deepEqual(
          scale.body.map((s: { id: string }) => s.id),
          [first.id],
        );
        const bad = await vnfm.request(
          'GET',
          `${LCM}?filter=${encodeURIComponent('(eq,authentication/authType,BASIC)')}`,
        );
        assert.equal(bad.status, 400);
        assert.match(bad.body.detail, /authentication/);
      });

      test('a receiver that does not answer 204 (or not at all): 400 naming callbackUri, nothing stored', async () => {
        const count = async () =>
          (await vnfm.ctx.db.selectFrom('subscriptions').select('id').execute()).length;
        const n = await count();
        receiver.getStatus = 500;
        try {
          const res = await vnfm.request('POST', LCM, { callbackUri: `${receiver.url}/lcm/refuses` });
          assert.equal(res.status, 400);
          assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json/);
          assert.match(res.body.detail, /callbackUri.*500, not 204/);
        } finally {
          receiver.getStatus = 204;
        }
        const dead = await startReceiver();
        const deadUrl = dead.url;
        await dead.close();
        const gone = await vnfm.request('POST', LCM, { callbackUri: `${deadUrl}/x` });
        assert.equal(gone.status, 400);
        assert.match(gone.body.detail, /callbackUri: the receiver could not be tested/);
        assert.equal(await count(), n);
      });

      test('OAUTH2_CLIENT_CREDENTIALS: the test GET carries a token from the given endpoint', async () => {
        const res = await vnfm.request('POST', LCM, {
          callbackUri: `${receiver.url}/lcm/oauth`,
          filter: { notificationTypes: ['VnfIdentifierCreationNotification'] },
          authentication: {
            authType: ['OAUTH2_CLIENT_CREDENTIALS'],
            paramsOauth2ClientCredentials: {
              clientId: 'vnfm',
              clientPassword: CLIENT_SECRET,
              tokenEndpoint: `${receiver.url}/token`,
            },
          },
        });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.ok(!res.raw.toString().includes(CLIENT_SECRET));
        assert.equal(receiver.issued.length, 1);
        assert.equal(gets('/lcm/oauth')[0]?.headers.authorization, `Bearer ${receiver.issued[0]}`);
      });

      test('DELETE → 204, then 404 for GET and DELETE', async () => {
        assert.equal((await vnfm.request('DELETE', first.location)).status, 204);
        const again = await vnfm.request('DELETE', first.location);
        assert.equal(again.status, 404);
        assert.match(again.body.detail, new RegExp(first.id));
        assert.equal((await vnfm.request('GET', first.location)).status, 404);
      });

      test('bad requests are 400s naming the field', async () => {
        const cb = `${receiver.url}/lcm/bad`;
        const cases: [unknown, RegExp][] = [
          [{ callbackUri: 'ftp://example.com/x' }, /callbackUri/],
          [{ callbackUri: 'http://user:pw@127.0.0.1/x' }, /callbackUri: must not carry credentials/],
          [{ callbackUri: `http://x/${'a'.repeat(3000)}` }, /callbackUri/],
          [{}, /callbackUri/],
          [{ callbackUri: cb, extra: 1 }, /extra/],
          [{ callbackUri: cb, filter: { vnfInstanceSubscriptionFilter: { vnfdId: ['x'] } } }, /vnfdId/],
          [{ callbackUri: cb, filter: { operationTypes: ['REBOOT'] } }, /operationTypes/],
          [
            {
              callbackUri: cb,
              filter: {
                notificationTypes: ['VnfIdentifierCreationNotification'],
                operationStates: ['FAILED'],
              },
            },
            /filter\/operationStates: only with notificationTypes/,
          ],
          [
            { callbackUri: cb, authentication: { authType: ['BASIC'] } },
            /paramsBasic: userName and password/,
          ],
          [{ callbackUri: cb, authentication: { authType: ['TLS_CERT'] } }, /authType/],
          [
            {
              callbackUri: cb,
              authentication: {
                authType: ['BASIC'],
                paramsBasic: { userName: 'u', password: 'p' },
                paramsOauth2ClientCredentials: {},
              },
            },
            /paramsOauth2ClientCredentials: given without/,
          ],
          [
            {
              callbackUri: cb,
              authentication: {
                authType: ['OAUTH2_CLIENT_CREDENTIALS'],
                paramsOauth2ClientCredentials: {
                  clientId: 'c',
                  clientPassword: 'p',
                  tokenEndpoint: 'file:///etc/passwd',
                },
              },
            },
            /tokenEndpoint: only http and https/,
          ],
        ];
        for (const [body, detail] of cases) {
          const res = await vnfm.request('POST', LCM, body);
          assert.equal(res.status, 400, JSON.stringify(body).slice(0, 200));
          assert.match(res.body.detail, detail);
        }
        assert.equal(gets('/lcm/bad').length, 0, 'no bad request reached the receiver');
      });
    });

    describe('package subscriptions', () => {
      test('POST, GET, identical → 303, DELETE; kept apart from LCM subscriptions', async () => {
        const filter = {
          vnfdId: ['d-1'],
          vnfProductsFromProviders: [{ vnfProvider: 'Acme' }],
          operationalState: ['ENABLED'],
        };
        const res = await vnfm.request('POST', PKGM, { callbackUri: `${receiver.url}/pkg`, filter });
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.deepEqual(validPkgm(res.body), []);
        const location = res.headers.get('location') ?? '';
        assert.equal(location, `${PKGM}/${res.body.id}`);
        assert.equal(gets('/pkg').length, 1);
        const again = await postNoFollow(PKGM, { callbackUri: `${receiver.url}/pkg`, filter });
        assert.equal(again.status, 303);
        assert.equal(again.location, location);
        // A package subscription is not an LCM one.
        assert.equal((await vnfm.request('GET', location)).body.id, res.body.id);
        assert.equal((await vnfm.request('GET', `${LCM}/${res.body.id}`)).status, 404);
        const list = await vnfm.request(
          'GET',
          `${PKGM}?filter=${encodeURIComponent('(eq,filter/vnfdId,d-1)')}`,
        );
        assert.deepEqual(
          list.body.map((s: { id: string }) => s.id),
          [res.body.id],
        );
        assert.equal((await vnfm.request('DELETE', location)).status, 204);
        assert.equal((await vnfm.request('GET', location)).status, 404);
      });

      test("package filter rules: change-only attributes need the change type; types are SOL005's", async () => {
        const cb = `${receiver.url}/pkg/bad`;
        const cases: [unknown, RegExp][] = [
          [
            {
              callbackUri: cb,
              filter: { notificationTypes: ['VnfPackageOnboardingNotification'], vnfPkgId: ['p'] },
            },
            /filter\/vnfPkgId: only with notificationTypes including VnfPackageChangeNotification/,
          ],
          [
            { callbackUri: cb, filter: { notificationTypes: ['VnfLcmOperationOccurrenceNotification'] } },
            /notificationTypes/,
          ],
          [{ callbackUri: cb, filter: { usageState: ['BUSY'] } }, /usageState/],
          [
            { callbackUri: cb, filter: { vnfInstanceSubscriptionFilter: {} } },
            /vnfInstanceSubscriptionFilter/,
          ],
        ];
        for (const [body, detail] of cases) {
          const res = await vnfm.request('POST', PKGM, body);
          assert.equal(res.status, 400, JSON.stringify(body));
          assert.match(res.body.detail, detail);
        }
        assert.equal(gets('/pkg/bad').length, 0);
      });
    });
  });
}
